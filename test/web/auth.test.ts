import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Auth, SESSION_COOKIE } from '../../src/web/auth.js';
import { isLoopbackHost } from '../../src/web/loopback.js';

const TOKEN = 'correct-horse-battery-staple';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function cookieOf(setCookie: string | undefined): string {
  return (setCookie ?? '').split(';')[0] ?? '';
}

describe('who may use the dashboard', () => {
  it('without a token: anyone, but only by a loopback host name (no DNS rebinding)', () => {
    const auth = new Auth({ token: '' });
    expect(auth.check(request({}))?.via).toBe('open');
    for (const host of ['127.0.0.1:8470', 'localhost:9000', '[::1]:8470']) expect(auth.hostAllowed(request({ host }))).toBe(true);
    expect(auth.hostAllowed(request({ host: 'evil.example:8470' }))).toBe(false);
    expect(auth.hostAllowed(request({}))).toBe(false);
    expect(['127.9.9.9', '::ffff:127.0.0.1', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '128.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('with a token: a Bearer header or the login cookie, nothing else', () => {
    const auth = new Auth({ token: TOKEN });
    expect(auth.check(request({}))).toBeUndefined();
    expect(auth.check(request({ authorization: `Bearer ${TOKEN}` }))?.via).toBe('bearer');
    expect(auth.check(request({ authorization: 'Bearer wrong-token-wrong-token' }))).toBeUndefined();
    expect(auth.login('wrong')).toBeUndefined();
    const setCookie = auth.login(` ${TOKEN} `);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.\\d+\\.[\\w-]+; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
    expect(setCookie).not.toContain(TOKEN);
    expect(auth.check(request({ cookie: `other=1; ${cookieOf(setCookie)}` }))?.via).toBe('cookie');
    expect(auth.check(request({ cookie: `${SESSION_COOKIE}=v1.1.forged` }))).toBeUndefined();
  });

  it('voids a login when it is too old or the token changes', () => {
    let now = Date.parse('2026-11-28T12:00:00Z');
    const auth = new Auth({ token: TOKEN, sessionSeconds: 3600, now: () => now });
    const cookie = cookieOf(auth.login(TOKEN));
    now += 3599_000;
    expect(auth.check(request({ cookie }))).toBeDefined();
    now += 2000;
    expect(auth.check(request({ cookie }))).toBeUndefined();
    const other = new Auth({ token: `${TOKEN}-rotated` });
    expect(other.check(request({ cookie: cookieOf(auth.login(TOKEN)) }))).toBeUndefined();
  });

  it('asks a browser for the page CSRF token and its own origin; a Bearer script needs neither', () => {
    const auth = new Auth({ token: TOKEN });
    const cookie = cookieOf(auth.login(TOKEN));
    const access = auth.check(request({ cookie }));
    if (!access) throw new Error('not let in');
    const csrf = auth.csrfToken(access);
    const host = '127.0.0.1:8470';
    expect(auth.csrfOk(request({ cookie, host, origin: `http://${host}`, 'x-csrf-token': csrf }), access)).toBe(true);
    expect(auth.csrfOk(request({ cookie, host, origin: `http://${host}` }), access)).toBe(false);
    expect(auth.csrfOk(request({ cookie, host, origin: 'http://evil.example', 'x-csrf-token': csrf }), access)).toBe(false);
    expect(auth.csrfOk(request({ cookie, host, 'sec-fetch-site': 'cross-site', 'x-csrf-token': csrf }), access)).toBe(false);
    expect(auth.csrfOk(request({ authorization: `Bearer ${TOKEN}` }), { via: 'bearer', binding: 'bearer' })).toBe(true);
  });

  it('without a token, lets a script on this machine upload, but not another site through a browser', () => {
    const auth = new Auth({ token: '' });
    const access = { via: 'open' as const, binding: 'open' };
    const host = 'localhost:8470';
    expect(auth.csrfOk(request({ host }), access)).toBe(true);
    expect(auth.csrfOk(request({ host, origin: 'https://evil.example' }), access)).toBe(false);
    expect(auth.csrfOk(request({ host, origin: `http://${host}` }), access)).toBe(false);
    expect(auth.csrfOk(request({ host, origin: `http://${host}`, 'x-csrf-token': auth.csrfToken(access) }), access)).toBe(true);
  });
});
