import nodemailer, { type Transporter } from 'nodemailer';
import type { OutboxDelivery } from '../outbox/worker.ts';
import type { NotificationEvent } from './types.ts';

export const EMAIL_TOPIC = 'notification.email';

export interface EmailDeliveryPayload {
  eventId: string;
  to: string[];
  subject: string;
  text: string;
}

const SUBJECTS: Record<NotificationEvent['type'], string> = {
  balance_low: 'Wallet balance is low',
  daily_limit_warning: 'Daily limit almost reached',
  daily_limit_reached: 'Daily limit reached',
  payment_succeeded: 'Payment succeeded',
  payment_failed: 'Payment failed',
  refund_succeeded: 'Refund succeeded',
  dispute_opened: 'A payment was disputed',
  payment_review_required: 'A payment needs review',
  key_expiring: 'An API key expires soon',
  rate_limit_sustained: 'Requests are being rate limited',
  spend_velocity_breach: 'Spend cap reached',
};

export function renderEmail(event: NotificationEvent, to: string[]): EmailDeliveryPayload {
  const lines = Object.entries(event.data).map(([k, v]) => `${k}: ${v === null ? '—' : String(v)}`);
  return {
    eventId: event.id,
    to,
    subject: `[Tollgate] ${SUBJECTS[event.type]}`,
    text: [
      SUBJECTS[event.type],
      '',
      ...lines,
      '',
      `event: ${event.type} (${event.id})`,
      `organization: ${event.organizationId ?? '—'}`,
      `at: ${event.createdAt}`,
    ].join('\n'),
  };
}

/** Sends notification emails through SMTP_URL (nodemailer). One transport per process. */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
  ) {
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      // Plain SMTP to a local relay is allowed; STARTTLS is used whenever the server offers it.
      ignoreTLS: url.searchParams.get('tls') === 'off',
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  /** Outbox handler for `notification.email`. */
  async deliver(delivery: OutboxDelivery): Promise<void> {
    await this.send(delivery.payload as EmailDeliveryPayload);
  }

  /** One message now (account emails go straight out: their links must not sit in the outbox). */
  async send(p: EmailDeliveryPayload): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: p.to,
      subject: p.subject,
      text: p.text,
      headers: { 'X-Tollgate-Event-Id': p.eventId },
      messageId: `<${p.eventId}@tollgate>`,
    });
  }

  close() {
    this.transport.close();
  }
}
