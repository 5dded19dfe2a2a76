import { useT } from '../../../i18n';
import { parseWholeNumber, perMillionTokens } from '../../../ui/money';
import { messages } from './messages';

export interface Prices {
  baseNanosPerToken: string;
  inputMultiplierPpm: string;
  outputMultiplierPpm: string;
  cachedInputMultiplierPpm: string;
  requestFeeNanos: string;
}

export const DEFAULT_PRICES: Prices = {
  baseNanosPerToken: '',
  inputMultiplierPpm: '1000000',
  outputMultiplierPpm: '1000000',
  cachedInputMultiplierPpm: '1000000',
  requestFeeNanos: '0',
};

/** The typed prices as the BigInt scalars the mutations take; null when one is not a whole number. */
export function parsePrices(p: Prices): Prices | null {
  const out = {} as Prices;
  for (const k of Object.keys(p) as (keyof Prices)[]) {
    const v = parseWholeNumber(p[k]);
    if (v === null) return null;
    out[k] = v;
  }
  return out;
}

/**
 * Prices are typed in their stored units (nanos per token, parts per million): exact, and the same numbers
 * the API and the docs use; the per-million-token figure beside it is for reading.
 */
export function PriceFields({
  value,
  currency,
  onChange,
}: {
  value: Prices;
  currency: string;
  onChange: (p: Prices) => void;
}) {
  const t = useT(messages);
  const field = (k: keyof Prices, label: Parameters<typeof t>[0]) => (
    <label>
      {t(label)}
      <input
        inputMode="numeric"
        value={value[k]}
        onChange={(e) => onChange({ ...value, [k]: e.target.value })}
      />
    </label>
  );
  const base = parseWholeNumber(value.baseNanosPerToken);
  return (
    <div className="form-row">
      {field('baseNanosPerToken', 'baseNanos')}
      {field('inputMultiplierPpm', 'inputPpm')}
      {field('outputMultiplierPpm', 'outputPpm')}
      {field('cachedInputMultiplierPpm', 'cachedPpm')}
      {field('requestFeeNanos', 'feeNanos')}
      {base !== null && (
        <p className="field-hint">
          {t('equals', { amount: perMillionTokens(base), currency: currency || '' })}
        </p>
      )}
    </div>
  );
}
