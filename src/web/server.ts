/**
 * The dashboard's HTTP server (node:http): the route table, who may use which route, and the
 * one place errors become answers. A database that cannot be read answers 503 with a plain
 * message; anything unexpected 500, logged; neither reaches the daemon, which runs in another
 * thread and goes on submitting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseUnreadableError } from '../errors.js';
import { apiEvents, apiFiles, apiImei, apiStatus, apiTrends, apiUpload, metricsRoute } from './api-routes.js';
import type { DashboardApp, RequestContext } from './app.js';
import { serveAsset } from './assets/serve.js';
import { download } from './downloads.js';
import { healthz, readyz } from './health.js';
import {
  filesRoute,
  loginForm,
  loginRoute,
  logoutRoute,
  lookupRoute,
  notFound,
  nowRoute,
  trendsRoute,
  uploadRoute,
} from './page-routes.js';
import { sendText } from './respond.js';

type Handler = (context: RequestContext) => void | Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
  /** `open`: no token needed (health, assets, the login form); default: the token or login. */
  access?: 'open';
  /** A page (401 shows the login form) rather than an API (401 is a plain line). */
  page?: boolean;
}

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/healthz$/, handler: healthz, access: 'open' },
  { method: 'GET', pattern: /^\/assets\/([a-z0-9.-]+)$/, handler: serveAsset, access: 'open' },
  { method: 'GET', pattern: /^\/login$/, handler: (c) => loginForm(c, 200), access: 'open', page: true },
  { method: 'POST', pattern: /^\/login$/, handler: loginRoute, access: 'open', page: true },
  { method: 'GET', pattern: /^\/logout$/, handler: logoutRoute, access: 'open', page: true },
  { method: 'GET', pattern: /^\/readyz$/, handler: readyz },
  { method: 'GET', pattern: /^\/metrics$/, handler: metricsRoute },
  { method: 'GET', pattern: /^\/$/, handler: nowRoute, page: true },
  { method: 'GET', pattern: /^\/files$/, handler: filesRoute, page: true },
  { method: 'GET', pattern: /^\/files\/(\d{1,12})\/report$/, handler: (c) => download(c, 'report'), page: true },
  { method: 'GET', pattern: /^\/files\/(\d{1,12})\/summary$/, handler: (c) => download(c, 'summary'), page: true },
  { method: 'GET', pattern: /^\/imei$/, handler: lookupRoute, page: true },
  { method: 'GET', pattern: /^\/trends$/, handler: trendsRoute, page: true },
  { method: 'GET', pattern: /^\/upload$/, handler: uploadRoute, page: true },
  { method: 'GET', pattern: /^\/api\/files$/, handler: apiFiles },
  { method: 'GET', pattern: /^\/api\/imei\/([^/]+)$/, handler: apiImei },
  { method: 'GET', pattern: /^\/api\/status$/, handler: apiStatus },
  { method: 'GET', pattern: /^\/api\/trends$/, handler: apiTrends },
  { method: 'GET', pattern: /^\/api\/events$/, handler: apiEvents },
  { method: 'POST', pattern: /^\/api\/upload$/, handler: apiUpload },
];

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export class DashboardServer {
  private readonly server: Server;

  constructor(private readonly app: DashboardApp) {
    this.server = createServer((request, response) => void this.handle(request, response));
    // Slow clients cannot hold connections open for ever; uploads get the request timeout (5 min).
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 300_000;
  }

  /** Listens; resolves with the URL (the port chosen when `port` is 0), rejects with the listen error. */
  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shown}:${address.port}/`);
      });
    });
  }

  /** Ends live streams, refuses new connections, closes idle ones. */
  async close(): Promise<void> {
    this.app.clients.closeAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => {
        this.server.closeAllConnections();
        resolve();
      }, 1000).unref();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { app } = this;
    let context: RequestContext | undefined;
    try {
      if (!app.auth.hostAllowed(request)) {
        return sendText(response, 403, 'this dashboard answers only to localhost, 127.0.0.1 or [::1] (set web.token to serve other names)');
      }
      const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
      const candidates = ROUTES.filter((route) => route.pattern.test(url.pathname));
      const route = candidates.find((r) => r.method === request.method || (r.method === 'GET' && request.method === 'HEAD'));
      const access = app.auth.check(request);
      const base = { request, response, url, params: [] as string[], access: access ?? { via: 'open' as const, binding: 'none' }, app };
      if (!route) {
        if (candidates.length > 0) return sendText(response, 405, 'method not allowed', { Allow: candidates.map((r) => r.method).join(', ') });
        if (!access) return sendText(response, 401, 'sign in first: Authorization: Bearer TOKEN, or the login page', { 'WWW-Authenticate': 'Bearer' });
        return url.pathname.startsWith('/api/') ? sendText(response, 404, 'no such endpoint') : notFound(base);
      }
      if (route.access !== 'open' && !access) {
        if (route.page) return loginForm(base, 401);
        return sendText(response, 401, 'sign in first: Authorization: Bearer TOKEN, or the login page', { 'WWW-Authenticate': 'Bearer' });
      }
      const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map(decode);
      if (params.some((p) => p === undefined)) return sendText(response, 400, 'bad escape in the path');
      context = { ...base, params: params as string[] };
      await route.handler(context);
    } catch (error) {
      this.fail(response, error, request.url ?? '');
    }
  }

  private fail(response: ServerResponse, error: unknown, path: string): void {
    if (error instanceof DatabaseUnreadableError) {
      if (!response.headersSent) sendText(response, 503, `${error.message}. The daemon goes on working; try again in a moment.`, { 'Retry-After': '5' });
      else response.destroy();
      return;
    }
    this.app.log('error', 'dashboard: a request failed', { path: path.split('?')[0] ?? '', err: error instanceof Error ? error.message : String(error) });
    if (!response.headersSent) sendText(response, 500, 'the dashboard failed to answer this request; the daemon goes on working');
    else response.destroy();
  }
}
