import { newId } from '../../lib/ids.ts';
import { logger } from '../../lib/logger.ts';

export interface AccountMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Emails about an account (verification, password reset, "someone signed up with your address").
 * `send` returns at once and delivers in the background: the answer to signUp or
 * requestPasswordReset takes the same time whether an email went out or not (no enumeration by
 * timing), and the link never sits in a database row (not the outbox). A failed delivery is logged
 * without its text (the text holds the link); the person asks again.
 */
export interface AccountMailer {
  send(mail: AccountMail): void;
  /** Links in emails: PUBLIC_BASE_URL, else http://localhost:PORT; `token` as the query. */
  link(path: string, token?: string): string;
  close(): void;
}

/** The SMTP side (src/notifications/email.ts's EmailSender); null when SMTP_URL is not set. */
export interface MailTransport {
  send(p: { eventId: string; to: string[]; subject: string; text: string }): Promise<void>;
  close(): void;
}

export function createAccountMailer(deps: { sender: MailTransport | null; baseUrl: string }): AccountMailer {
  const { sender } = deps;
  const base = deps.baseUrl.replace(/\/+$/, '');
  return {
    send(mail) {
      const eventId = newId('mail');
      if (!sender) {
        logger.warn({ eventId, subject: mail.subject }, 'account email not sent: SMTP_URL is not set');
        return;
      }
      sender
        .send({ eventId, to: [mail.to], subject: `[Tollgate] ${mail.subject}`, text: mail.text })
        .catch((err: unknown) =>
          logger.error({ eventId, subject: mail.subject, error: errorName(err) }, 'account email failed'),
        );
    },
    link: (path, token) =>
      `${base}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
    close: () => sender?.close(),
  };
}

/** Only the class and SMTP code of a failure: nodemailer's error may quote the message (and its link). */
function errorName(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.name} ${code}` : err.name;
}
