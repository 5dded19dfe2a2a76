import { describe, expect, it } from 'vitest';
import {
  cookiesSecure,
  parseCookies,
  sameOrigin,
  sessionCookies,
} from '../../../../src/identity/sign-in/cookies.ts';

describe('session cookies', () => {
  it('parses a Cookie header: first of a repeated name wins, malformed pairs are skipped, quotes dropped', () => {
    const c = parseCookies('a=1; tollgate_session=tok; junk; =x; tollgate_session=other; q="v"');
    expect(c.get('tollgate_session')).toBe('tok');
    expect(c.get('a')).toBe('1');
    expect(c.get('q')).toBe('v');
    expect(c.has('junk')).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('sets the token HttpOnly and the CSRF token readable, both SameSite=Lax on /, Secure when asked', () => {
    const [session, csrf] = sessionCookies({ token: 'T', csrf: 'C' }, { secure: true, maxAgeSeconds: 60 });
    expect(session).toBe('tollgate_session=T; Path=/; SameSite=Lax; Max-Age=60; Secure; HttpOnly');
    expect(csrf).toBe('tollgate_csrf=C; Path=/; SameSite=Lax; Max-Age=60; Secure');
    const cleared = sessionCookies(null, { secure: false, maxAgeSeconds: 60 });
    expect(cleared).toEqual([
      'tollgate_session=; Path=/; SameSite=Lax; Max-Age=0; HttpOnly',
      'tollgate_csrf=; Path=/; SameSite=Lax; Max-Age=0',
    ]);
  });

  it('SESSION_COOKIE_SECURE=auto: Secure except plain http on loopback', () => {
    expect(cookiesSecure('auto', undefined, { host: '127.0.0.1:8080' })).toBe(false);
    expect(cookiesSecure('auto', undefined, { host: 'localhost:8080' })).toBe(false);
    expect(cookiesSecure('auto', undefined, { host: '[::1]:8080' })).toBe(false);
    expect(cookiesSecure('auto', undefined, { host: 'gateway.example' })).toBe(true);
    expect(cookiesSecure('auto', 'http://localhost:8080', { host: 'gateway.example' })).toBe(false);
    expect(cookiesSecure('auto', 'https://localhost:8080', {})).toBe(true);
    expect(cookiesSecure('auto', 'http://gateway.example', {})).toBe(true);
    expect(cookiesSecure('false', 'https://gateway.example', {})).toBe(false);
    expect(cookiesSecure('true', undefined, { host: 'localhost' })).toBe(true);
  });

  it('counts an absent Origin, PUBLIC_BASE_URL and the request’s own host as ours, nothing else', () => {
    expect(sameOrigin({ host: 'gw.example' }, undefined)).toBe(true);
    expect(sameOrigin({ host: 'gw.example', origin: 'https://gw.example' }, undefined)).toBe(true);
    expect(sameOrigin({ host: 'internal:8080', origin: 'https://gw.example' }, 'https://gw.example/')).toBe(
      true,
    );
    expect(sameOrigin({ host: 'gw.example', origin: 'https://evil.example' }, 'https://gw.example')).toBe(
      false,
    );
    expect(sameOrigin({ host: 'gw.example', origin: 'null' }, undefined)).toBe(false);
    expect(sameOrigin({ host: 'gw.example', origin: 'https://gw.example.evil.example' }, undefined)).toBe(
      false,
    );
  });
});
