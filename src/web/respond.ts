/** Writing answers: every one with the same security headers, errors as one plain line. */
import type { ServerResponse } from 'node:http';
import type { SafeHtml } from './html.js';

/**
 * Nothing is loaded from outside the machine, and nothing inline runs: scripts and styles come
 * from /assets only, so even a value that escaped escaping could not execute.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(response: ServerResponse, cacheable = false): void {
  response.setHeader('Content-Security-Policy', CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', cacheable ? 'private, max-age=3600' : 'no-store');
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  securityHeaders(response);
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${text}\n`);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  securityHeaders(response);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(value));
}

export function sendHtml(response: ServerResponse, status: number, page: SafeHtml, headers: Record<string, string> = {}): void {
  securityHeaders(response);
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
  response.end(page.value);
}

export function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  securityHeaders(response);
  response.writeHead(303, { Location: location, ...headers });
  response.end();
}

/** `Content-Disposition` for a download whose name may hold anything: an ASCII fallback and the UTF-8 name. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
