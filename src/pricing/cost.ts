/**
 * Exact request pricing in nano-units (10^9 per major currency unit). Multipliers are parts per
 * million, so every intermediate value is an integer; the only rounding is one ceiling per request.
 */
export const PPM = 1_000_000n;

/** The price rule that applies to one request (the fields needed to compute its cost). */
export interface ResolvedPrice {
  ruleId: string;
  planId: string | null;
  model: string;
  modelPattern: string;
  matchType: string;
  precedence: number;
  currency: string;
  baseNanosPerToken: bigint;
  inputMultiplierPpm: bigint;
  outputMultiplierPpm: bigint;
  cachedInputMultiplierPpm: bigint;
  requestFeeNanos: bigint;
  imageNanosPerUnit: bigint | null;
  audioNanosPerSecond: bigint | null;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export type PriceFields = Pick<
  ResolvedPrice,
  | 'baseNanosPerToken'
  | 'inputMultiplierPpm'
  | 'outputMultiplierPpm'
  | 'cachedInputMultiplierPpm'
  | 'requestFeeNanos'
>;

/**
 * Token usage as OpenAI reports it: `cachedTokens` (`prompt_tokens_details.cached_tokens`) is a
 * SUBSET of `promptTokens`, so uncached prompt tokens = promptTokens − cachedTokens.
 */
export interface TokenUsage {
  promptTokens: number | bigint;
  completionTokens: number | bigint;
  cachedTokens?: number | bigint;
}

function count(name: string, v: number | bigint | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`${name} must be an integer`);
  const b = BigInt(v);
  if (b < 0n) throw new RangeError(`${name} must not be negative`);
  return b;
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function ceilDiv(n: bigint, d: bigint): bigint {
  return n <= 0n ? 0n : (n + d - 1n) / d;
}

/**
 * cost = ceil((uncachedPrompt·base·in + cached·base·cached + completion·base·out) / 10^6) + requestFee.
 * Cached tokens beyond the prompt count (a provider inconsistency) are capped at the prompt count.
 * @throws RangeError for negative or fractional token counts.
 */
export function computeCost(price: PriceFields, usage: TokenUsage): bigint {
  const prompt = count('promptTokens', usage.promptTokens);
  const completion = count('completionTokens', usage.completionTokens);
  let cached = count('cachedTokens', usage.cachedTokens);
  if (cached > prompt) cached = prompt;
  const b = price.baseNanosPerToken;
  const ppmTotal =
    (prompt - cached) * b * price.inputMultiplierPpm +
    cached * b * price.cachedInputMultiplierPpm +
    completion * b * price.outputMultiplierPpm;
  return ceilDiv(ppmTotal, PPM) + price.requestFeeNanos;
}

/**
 * The most a request can cost, for holds: every prompt token at the dearer of the cached and
 * uncached rates (nothing is known about caching before the call) and `maxTokens` of completion.
 */
export function estimateMaxCost(
  price: PriceFields,
  input: { promptTokens: number | bigint; maxTokens: number | bigint },
): bigint {
  const prompt = count('promptTokens', input.promptTokens);
  const completion = count('maxTokens', input.maxTokens);
  const inMult = maxOf(price.cachedInputMultiplierPpm, price.inputMultiplierPpm);
  const ppmTotal =
    prompt * price.baseNanosPerToken * inMult +
    completion * price.baseNanosPerToken * price.outputMultiplierPpm;
  return ceilDiv(ppmTotal, PPM) + price.requestFeeNanos;
}
