import { InvalidAmountError } from '../lib/money.ts';

/** The largest amount one posting, hold or settle may move: 10^15 nanos = 1,000,000 major units. */
export const POSTING_NANOS_MAX = 10n ** 15n;

/**
 * Checks an amount to be posted: a bigint, within (0, POSTING_NANOS_MAX], or [0, max] when zero is
 * allowed (settle of a request that cost nothing), or non-zero in ±max when signed (adjustments).
 */
export function checkPostingAmount(
  amountNanos: bigint,
  opts: { allowZero?: boolean; signed?: boolean; param?: string } = {},
): bigint {
  const name = opts.param ?? 'amountNanos';
  if (typeof amountNanos !== 'bigint') throw new InvalidAmountError(`${name} must be a bigint`);
  const abs = amountNanos < 0n ? -amountNanos : amountNanos;
  if (abs > POSTING_NANOS_MAX)
    throw new InvalidAmountError(`${name} exceeds the maximum of ${POSTING_NANOS_MAX} nanos per posting`, {
      amountNanos: amountNanos.toString(),
      maxNanos: POSTING_NANOS_MAX.toString(),
    });
  if (amountNanos < 0n && !opts.signed)
    throw new InvalidAmountError(`${name} must not be negative`, { amountNanos: amountNanos.toString() });
  if (amountNanos === 0n && !opts.allowZero)
    throw new InvalidAmountError(`${name} must not be zero`, { amountNanos: '0' });
  return amountNanos;
}
