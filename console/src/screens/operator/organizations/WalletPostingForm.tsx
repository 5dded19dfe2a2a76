import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { StatusNotice } from '../../../ui/StatusNotice';
import { useIdempotencyKey } from '../../../ui/idempotency';
import { formatMoney, parseMajorToNanos } from '../../../ui/money';
import { messages } from './messages';
import { AdjustWalletDocument, GrantCreditsDocument } from './operations';

interface WalletChoice {
  id: string;
  currency: string;
  owner: { type: string; id: string };
}

const NEW_WALLET = 'new';

/**
 * grantCredits (positive) or adjustWallet (signed), both with a required reason. Amounts are typed in major
 * units and sent as nanos; the idempotency key lives as long as the form's values, so resubmitting after a
 * lost answer cannot post twice.
 */
export function WalletPostingForm({
  kind,
  organizationId,
  wallets,
  onPosted,
}: {
  kind: 'grant' | 'adjust';
  organizationId: string;
  wallets: readonly WalletChoice[];
  onPosted: () => void;
}) {
  const t = useT(messages);
  const [walletId, setWalletId] = useState(wallets[0]?.id ?? NEW_WALLET);
  const [currency, setCurrency] = useState('USD');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [key, renewKey] = useIdempotencyKey();
  const [grantState, grant] = useMutation(GrantCreditsDocument);
  const [adjustState, adjust] = useMutation(AdjustWalletDocument);
  const state = kind === 'grant' ? grantState : adjustState;
  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setDone(null);
      renewKey();
    };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const nanos = parseMajorToNanos(amount, { signed: kind === 'adjust' });
    if (nanos === null || nanos === '0') return setProblem(t('badAmount'));
    if (walletId === NEW_WALLET && !/^[A-Z]{3}$/.test(currency)) return setProblem(t('badCurrency'));
    if (!reason.trim()) return setProblem(t('needReason'));
    setProblem(null);
    const input = {
      amountNanos: nanos,
      reason: reason.trim(),
      idempotencyKey: key,
      ...(walletId === NEW_WALLET
        ? {
            wallet: { organizationId, ownerType: 'ORGANIZATION' as const, ownerId: organizationId, currency },
          }
        : { walletId }),
    };
    const res = kind === 'grant' ? await grant({ input }) : await adjust({ input });
    const payload = res.data && ('grantCredits' in res.data ? res.data.grantCredits : res.data.adjustWallet);
    if (!payload) return;
    const vars = { tx: payload.transactionId, balance: formatMoney(payload.balanceAfter) };
    setDone(t(payload.idempotencyHit ? 'replayed' : 'done', vars));
    setAmount('');
    setReason('');
    renewKey();
    onPosted();
  }

  return (
    <form onSubmit={submit} aria-label={t(kind === 'grant' ? 'grantTitle' : 'adjustTitle')}>
      <div className="form-row">
        <label>
          {t('wallet')}
          <select value={walletId} onChange={(e) => change(setWalletId)(e.target.value)}>
            {wallets.map((w) => (
              <option key={w.id} value={w.id}>
                {w.currency} · {w.owner.type}
              </option>
            ))}
            <option value={NEW_WALLET}>{t('newWallet')}</option>
          </select>
        </label>
        {walletId === NEW_WALLET && (
          <label>
            {t('currency')}
            <input
              value={currency}
              maxLength={3}
              onChange={(e) => change(setCurrency)(e.target.value.toUpperCase())}
            />
          </label>
        )}
        <label>
          {t(kind === 'grant' ? 'amountMajor' : 'amountSigned')}
          <input inputMode="decimal" value={amount} onChange={(e) => change(setAmount)(e.target.value)} />
        </label>
      </div>
      <label style={{ display: 'flex' }}>
        {t('why')}
        <input value={reason} onChange={(e) => change(setReason)(e.target.value)} />
      </label>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <ErrorNotice error={state.error} />
      <StatusNotice>{done}</StatusNotice>
      <button type="submit" disabled={state.fetching}>
        {t(kind === 'grant' ? 'grant' : 'adjust')}
      </button>
    </form>
  );
}
