/**
 * Who may use the dashboard (daemon-contract.md, "Dashboard and operator endpoints"):
 * - no `web.token`: anyone on this machine (load.ts keeps the address loopback), but only by a
 *   loopback host name, so a web page elsewhere cannot reach the page by pointing its own DNS
 *   name at 127.0.0.1 (DNS rebinding);
 * - with a token: `Authorization: Bearer TOKEN`, or the login cookie the page sets after the
 *   token was typed once (HttpOnly, SameSite=Strict, signed with the token, so it is void when
 *   the token changes). The token itself is never sent back, stored or logged.
 * Uploads from a browser also carry a CSRF token tied to the session; a Bearer request needs
 * none (a browser never adds that header by itself).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostHeaderName, isLoopbackHost } from './loopback.js';

export const SESSION_COOKIE = 'imei_daemon_session';
/** Default: a week, so staff sign in about once a week. */
const DEFAULT_SESSION_SECONDS = 7 * 24 * 3600;

export interface AuthOptions {
  /** `web.token`; empty: no login. */
  token: string;
  /** How long a login lasts. Default a week. */
  sessionSeconds?: number;
  /** The clock, in ms, for tests. Default Date.now. */
  now?: () => number;
}

/** How a request was let in; `binding` is what its CSRF token is tied to. */
export interface Access {
  via: 'open' | 'bearer' | 'cookie';
  binding: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Equal-time comparison: how far a guess matched must not show in how long it took to refuse. */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

export class Auth {
  private readonly csrfKey = randomBytes(32);
  private readonly sessionSeconds: number;
  private readonly now: () => number;

  constructor(private readonly options: AuthOptions) {
    this.sessionSeconds = options.sessionSeconds ?? DEFAULT_SESSION_SECONDS;
    this.now = options.now ?? Date.now;
  }

  get required(): boolean {
    return this.options.token !== '';
  }

  /** Without a token, only requests addressed to a loopback name are served. */
  hostAllowed(request: IncomingMessage): boolean {
    if (this.required) return true;
    const host = request.headers.host;
    return host !== undefined && isLoopbackHost(hostHeaderName(host));
  }

  /** How the request is let in, or undefined: 401. */
  check(request: IncomingMessage): Access | undefined {
    if (!this.required) return { via: 'open', binding: 'open' };
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (bearer !== undefined) return sameText(bearer, this.options.token) ? { via: 'bearer', binding: 'bearer' } : undefined;
    const cookie = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    return cookie !== undefined && this.validSession(cookie) ? { via: 'cookie', binding: cookie } : undefined;
  }

  /** The Set-Cookie value after a correct token, or undefined. */
  login(typed: string): string | undefined {
    if (!this.required || !sameText(typed.trim(), this.options.token)) return undefined;
    const issued = Math.floor(this.now() / 1000);
    const value = `v1.${issued}.${this.sign(`session:${issued}`)}`;
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${this.sessionSeconds}`;
  }

  logoutCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** The token a page sends back with an upload (X-CSRF-Token); it reveals nothing of the login token. */
  csrfToken(access: Access): string {
    return createHmac('sha256', this.csrfKey).update(access.binding).digest('base64url');
  }

  /**
   * Whether a state-changing request may proceed. Bearer requests, and requests that show no
   * sign of a browser (no Origin, no Sec-Fetch-Site, no cookie login: a script on this machine),
   * need nothing more. A browser's request must come from this dashboard's own origin and carry
   * the page's CSRF token: another site can make a browser send a request, but not read the
   * token or set that header.
   */
  csrfOk(request: IncomingMessage, access: Access): boolean {
    if (access.via === 'bearer') return true;
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const fromBrowser = origin !== undefined || site !== undefined || access.via === 'cookie';
    if (!fromBrowser) return true;
    if (origin !== undefined && !this.sameOrigin(origin, request.headers.host)) return false;
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
    const sent = request.headers['x-csrf-token'];
    return typeof sent === 'string' && sameText(sent, this.csrfToken(access));
  }

  private sameOrigin(origin: string, host: string | undefined): boolean {
    try {
      return host !== undefined && new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  private validSession(value: string): boolean {
    const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]+)$/.exec(value);
    if (!match) return false;
    const issued = Number(match[1]);
    const age = this.now() / 1000 - issued;
    if (age < -60 || age > this.sessionSeconds) return false;
    return sameText(match[2] as string, this.sign(`session:${issued}`));
  }

  private sign(text: string): string {
    return createHmac('sha256', this.options.token).update(text).digest('base64url');
  }
}
