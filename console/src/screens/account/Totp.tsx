import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { TotpCodeField } from '../../ui/Field';
import { Card } from '../../ui/Page';
import { StatusNotice } from '../../ui/StatusNotice';
import { useViewer } from '../../viewer';
import { messages } from './messages';
import {
  ConfirmTotpEnrollmentDocument,
  DisableTotpDocument,
  StartTotpEnrollmentDocument,
} from './operations';

/**
 * Two-factor sign-in: enrolling shows a new secret (QR code and text) that is pending until a code of it
 * is confirmed; turning it off takes a current code.
 */
export function Totp() {
  const t = useT(messages);
  const { viewer, refetch } = useViewer();
  const [started, start] = useMutation(StartTotpEnrollmentDocument);
  const [confirmed, confirm] = useMutation(ConfirmTotpEnrollmentDocument);
  const [disabled, disable] = useMutation(DisableTotpDocument);
  const [code, setCode] = useState('');
  const [done, setDone] = useState<'enabled' | 'disabled' | null>(null);
  const explain = { TOTP_CODE_INVALID: t('totpInvalid') };
  const enrollment = started.data?.startTotpEnrollment;

  async function submitConfirm(e: FormEvent) {
    e.preventDefault();
    const r = await confirm({ code });
    if (r.data?.confirmTotpEnrollment) {
      setCode('');
      setDone('enabled');
      refetch();
    }
  }

  async function submitDisable(e: FormEvent) {
    e.preventDefault();
    const r = await disable({ code });
    if (r.data?.disableTotp) {
      setCode('');
      setDone('disabled');
      refetch();
    }
  }

  return (
    <Card title={t('totp')}>
      <div className="stack">
        <StatusNotice>
          {done === 'enabled' ? t('totpEnabled') : done === 'disabled' ? t('totpDisabled') : null}
        </StatusNotice>
        {viewer.totpEnabled ? (
          <form onSubmit={submitDisable} className="stack">
            <p>{t('totpOn')}</p>
            <TotpCodeField label={t('totpCode')} value={code} onValue={setCode} />
            <ErrorNotice error={disabled.error} explain={explain} />
            <div className="row">
              <button type="submit" className="danger" disabled={disabled.fetching}>
                {t('totpDisable')}
              </button>
            </div>
          </form>
        ) : enrollment ? (
          <form onSubmit={submitConfirm} className="stack">
            <p>{t('totpScan')}</p>
            <img src={enrollment.qrCode} alt={t('totpQrAlt')} width={200} height={200} />
            <p>
              {t('totpSecret')} <code data-testid="totp-secret">{enrollment.secret}</code>
            </p>
            <TotpCodeField label={t('totpCode')} value={code} onValue={setCode} />
            <ErrorNotice error={confirmed.error} explain={explain} />
            <div className="row">
              <button type="submit" disabled={confirmed.fetching}>
                {t('totpConfirm')}
              </button>
            </div>
          </form>
        ) : (
          <div className="stack">
            <p>{t('totpOff')}</p>
            <ErrorNotice error={started.error} />
            <div className="row">
              <button type="button" disabled={started.fetching} onClick={() => void start({})}>
                {t('totpEnable')}
              </button>
            </div>
          </div>
        )}
      </div>
    </Card>
  );
}
