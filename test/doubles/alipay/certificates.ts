import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Self-signed X.509 certificates made at test time with the openssl CLI, for Alipay's certificate
 * mode (app certificate, Alipay public key certificate, Alipay root certificate). Nothing is committed.
 */
export function selfSignedCertificate(privateKeyPem: string, commonName: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'alipay-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const out = join(dir, 'cert.pem');
    writeFileSync(key, privateKeyPem, { mode: 0o600 });
    execFileSync(
      'openssl',
      ['req', '-x509', '-key', key, '-subj', `/CN=${commonName}`, '-days', '1', '-sha256', '-out', out],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
