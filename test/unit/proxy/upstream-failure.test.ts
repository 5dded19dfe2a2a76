import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../src/lib/errors.ts';
import {
  UpstreamTimeoutError,
  UpstreamUnreachableError,
  upstreamFailure,
} from '../../../src/proxy/errors.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('upstreamFailure: the one mapping of a failed upstream exchange', () => {
  it('maps every kind of timeout to 504 UPSTREAM_TIMEOUT, keeping the cause', () => {
    const timeouts = [
      new undiciErrors.ConnectTimeoutError(),
      new undiciErrors.HeadersTimeoutError(),
      new undiciErrors.BodyTimeoutError(),
      withCode('ETIMEDOUT'),
      new DOMException('The operation timed out', 'TimeoutError'),
    ];
    for (const err of timeouts) {
      const mapped = upstreamFailure(err);
      expect(mapped, String(err)).toBeInstanceOf(UpstreamTimeoutError);
      expect(mapped.status).toBe(504);
      expect(mapped.cause).toBe(err);
    }
  });

  it('maps refused, reset, DNS and anything else to 502 UPSTREAM_UNREACHABLE', () => {
    const others = [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('ENOTFOUND'),
      new undiciErrors.SocketError('other side closed'),
      new Error('no code at all'),
      'a string',
      undefined,
    ];
    for (const err of others) {
      const mapped = upstreamFailure(err);
      expect(mapped, String(err)).toBeInstanceOf(UpstreamUnreachableError);
      expect(mapped.status).toBe(502);
    }
  });

  it('passes a typed error through as it is (the circuit breaker’s 503)', () => {
    const open = new ServiceUnavailableError('circuit open', 'UPSTREAM_CIRCUIT_OPEN');
    expect(upstreamFailure(open)).toBe(open);
  });
});
