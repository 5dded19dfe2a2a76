import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform base62 string (rejection sampling, so no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** One-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call, and the proxy hashes every request's key. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/**
 * AES-256-GCM with a random 96-bit nonce. Output: `v1.<iv>.<tag>.<ciphertext>` (base64url parts),
 * so the format can change later without guessing.
 */
export function encryptSecret(plaintext: string, keyBase64: string): string {
  const key = Buffer.from(keyBase64, 'base64');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
}

/** Throws when the key is wrong or the ciphertext was tampered with (GCM authentication). */
export function decryptSecret(encrypted: string, keyBase64: string): string {
  const [version, iv, tag, ct] = encrypted.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unknown ciphertext format');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(keyBase64, 'base64'),
    Buffer.from(iv, 'base64url'),
  );
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
