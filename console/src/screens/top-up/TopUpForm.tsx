import { type FormEvent, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { CreateTopUpMutation as Created } from '../../gql/graphql';
import { useT } from '../../i18n';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Card } from '../../ui/Page';
import { minorDigits, parseMajorToMinor } from '../../ui/money';
import { messages } from './messages';
import { CreateTopUpMutation, TopUpProvidersQuery } from './operations';
import { providerLabel } from './providers';

export type CreatedTopUp = Created['createTopUp'];

/** Offered whatever wallets exist; the gateway refuses a currency no provider takes (UNSUPPORTED_CURRENCY). */
const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CNY', 'HKD', 'JPY', 'SGD'];

function newKey(): string {
  return `console-topup-${crypto.randomUUID()}`;
}

/**
 * Amount (typed in major units, converted to minor units with BigInt) and currency; the providers
 * offered are the gateway's `topUpProviders(currency)`, its default first.
 */
export function TopUpForm({
  walletCurrencies,
  onCreated,
}: {
  walletCurrencies: string[];
  onCreated: (topUp: CreatedTopUp) => void;
}) {
  const t = useT(messages);
  const currencies = useMemo(
    () => [...new Set([...walletCurrencies, ...COMMON_CURRENCIES])],
    [walletCurrencies],
  );
  // Until the person picks one, the first wallet's currency (wallets may arrive after the form).
  const [pickedCurrency, setCurrency] = useState<string | null>(null);
  const currency = pickedCurrency ?? walletCurrencies[0] ?? 'USD';
  const [amount, setAmount] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  // One key per intent: a retry of the same submission (network error) reuses it, so it never pays twice.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const [providersResult] = useQuery({ query: TopUpProvidersQuery, variables: { currency } });
  const [created, createTopUp] = useMutation(CreateTopUpMutation);
  const providers = providersResult.data?.topUpProviders ?? [];
  const provider = chosen && providers.includes(chosen) ? chosen : (providers[0] ?? null);

  const changed = () => setIdempotencyKey(newKey());

  async function submit(e: FormEvent) {
    e.preventDefault();
    const minor = parseMajorToMinor(amount, currency);
    setInvalid(minor === null || minor === '0');
    if (minor === null || minor === '0' || !provider) return;
    const res = await createTopUp({
      input: { currency, amount: minor, idempotencyKey, provider },
    });
    if (res.data?.createTopUp) {
      setIdempotencyKey(newKey());
      onCreated(res.data.createTopUp);
    }
  }

  return (
    <Card title={t('newTopUp')}>
      <form onSubmit={submit} noValidate>
        <label>
          {t('currency')}
          <select
            value={currency}
            onChange={(e) => {
              setCurrency(e.target.value);
              setChosen(null);
              changed();
            }}
          >
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('amount')}
          <input
            inputMode="decimal"
            value={amount}
            aria-invalid={invalid}
            aria-describedby="top-up-amount-hint"
            onChange={(e) => {
              setAmount(e.target.value);
              changed();
            }}
          />
          <span id="top-up-amount-hint" className={invalid ? 'field-error' : 'muted'}>
            {invalid
              ? t('amountInvalid', { currency, digits: minorDigits(currency) })
              : t('amountHint', { currency })}
          </span>
        </label>
        {providers.length > 1 ? (
          <fieldset className="choices">
            <legend>{t('provider')}</legend>
            {providers.map((p) => (
              <label key={p} className="choice">
                <input
                  type="radio"
                  name="provider"
                  value={p}
                  checked={p === provider}
                  onChange={() => {
                    setChosen(p);
                    changed();
                  }}
                />
                {providerLabel(t, p)}
              </label>
            ))}
          </fieldset>
        ) : provider ? (
          <p className="muted">
            {t('provider')}: {providerLabel(t, provider)}
          </p>
        ) : (
          !providersResult.fetching && <p className="muted">{t('noProvider', { currency })}</p>
        )}
        <ErrorNotice error={providersResult.error ?? created.error} />
        <div>
          <button type="submit" disabled={created.fetching || !provider}>
            {created.fetching ? t('starting') : t('continue')}
          </button>
        </div>
      </form>
    </Card>
  );
}
