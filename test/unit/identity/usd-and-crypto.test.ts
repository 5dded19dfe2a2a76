import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKeySecret } from '../../../src/identity/api-keys.ts';
import { decryptSecret, encryptSecret, sha256Hex } from '../../../src/identity/crypto.ts';
import {
  UsdAmount,
  nanosToUsdDecimal,
  stringifyWithUsd,
  usdNumberToNanos,
} from '../../../src/integrations/litellm/usd.ts';

describe('USD at the LiteLLM boundary', () => {
  it('renders nano-units as an exact 9-decimal string', () => {
    expect(nanosToUsdDecimal(12_345_678_900n)).toBe('12.345678900');
    expect(nanosToUsdDecimal(1n)).toBe('0.000000001');
    expect(nanosToUsdDecimal(0n)).toBe('0.000000000');
    expect(nanosToUsdDecimal(-1_500_000_000n)).toBe('-1.500000000');
    expect(nanosToUsdDecimal(9_223_372_036_854_775_807n)).toBe('9223372036.854775807');
  });

  it('writes UsdAmount as a bare JSON number with every digit', () => {
    const body = stringifyWithUsd({
      team_id: 't',
      max_budget: UsdAmount.fromNanos(12_000_000_001n),
      models: [],
    });
    expect(body).toBe('{"team_id":"t","max_budget":12.000000001,"models":[]}');
    expect(JSON.parse(body).max_budget).toBe(12.000000001);
  });

  it('round-trips any nano amount through the decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), (n) => {
        const [whole, frac] = nanosToUsdDecimal(n).replace('-', '').split('.');
        const back = BigInt(whole!) * 1_000_000_000n + BigInt(frac!);
        expect(n < 0n ? -back : back).toBe(n);
      }),
    );
  });

  it('reads LiteLLM float spend into nano-units', () => {
    expect(usdNumberToNanos(0.5)).toBe(500_000_000n);
    expect(usdNumberToNanos(0.1 + 0.2)).toBe(300_000_000n);
    expect(usdNumberToNanos(-2.25)).toBe(-2_250_000_000n);
    expect(() => usdNumberToNanos(Number.NaN)).toThrow();
  });
});

describe('secrets', () => {
  const key = randomBytes(32).toString('base64');

  it('encrypts with AES-256-GCM and refuses tampered ciphertext or a wrong key', () => {
    const enc = encryptSecret('sk-litellm-secret', key);
    expect(enc).not.toContain('sk-litellm');
    expect(encryptSecret('sk-litellm-secret', key)).not.toBe(enc);
    expect(decryptSecret(enc, key)).toBe('sk-litellm-secret');
    const parts = enc.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() => decryptSecret([...parts.slice(0, 3), ct.toString('base64url')].join('.'), key)).toThrow();
    expect(() => decryptSecret(enc, randomBytes(32).toString('base64'))).toThrow();
  });

  it('generates tg- keys of 40 base62 characters with a visible prefix and their SHA-256', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = generateApiKeySecret();
      expect(k.secret).toMatch(/^tg-[0-9A-Za-z]{40}$/);
      expect(k.prefix).toBe(k.secret.slice(0, 11));
      expect(k.hash).toBe(sha256Hex(k.secret));
      seen.add(k.secret);
    }
    expect(seen.size).toBe(200);
  });
});
