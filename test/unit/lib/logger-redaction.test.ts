import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Logs a top-up result the way an error handler might, in a child process (the logger writes to stdout). */
function logged(fields: Record<string, unknown>): string {
  const script = `import { logger } from './src/lib/logger.ts'; logger.info(${JSON.stringify(fields)}, 'top-up');`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'production' },
    encoding: 'utf8',
  });
}

describe('logger redaction', () => {
  it('keeps client secrets and page secrets out of the logs, at the top level and one level down', () => {
    const out = logged({
      clientSecret: 'pi_1_secret_abc',
      pageSecret: 'ps_top_level_secret',
      result: { pageSecret: 'ps_nested_secret', qrCode: 'https://qr.alipay.com/bax01' },
    });
    expect(out).not.toContain('pi_1_secret_abc');
    expect(out).not.toContain('ps_top_level_secret');
    expect(out).not.toContain('ps_nested_secret');
    expect(out).toContain('https://qr.alipay.com/bax01');
    expect(out).toContain('[redacted]');
  });
});
