/** The pages: each read from the store and rendered whole on the server. */
import { readHistory } from '../commands/history.js';
import type { RequestContext } from './app.js';
import { html, type SafeHtml } from './html.js';
import { readNowStatus } from './now-status.js';
import { filesPage } from './pages/files-page.js';
import { layout, type PageName } from './pages/layout.js';
import { lookupPage } from './pages/lookup-page.js';
import { nowPage } from './pages/now-page.js';
import { TREND_WINDOWS, trendsPage, type TrendWindow } from './pages/trends-page.js';
import { loginPage, uploadPage, type ServiceChoice } from './pages/upload-page.js';
import { isStatusFilter, listFiles, toListItem } from './queries/files.js';
import { stateCounts, withResultCount } from './queries/file-counts.js';
import { fileProgress, filesInFlight, recentlyFinished } from './queries/now.js';
import { redirect, sendHtml } from './respond.js';

export const FILES_PAGE_SIZE = 50;
/** An IMEI as typed, with room for spaces, dashes and Excel's quotes; longer is not an IMEI. */
export const MAX_IMEI_INPUT = 64;

function render(context: RequestContext, page: PageName, title: string, body: SafeHtml, status = 200): void {
  const { app, access } = context;
  const frame = { simulated: app.options.simulated, csrfToken: app.auth.csrfToken(access), signedIn: access.via === 'cookie' };
  sendHtml(context.response, status, layout(page, title, frame, body));
}

export function nowRoute(context: RequestContext): void {
  const { app } = context;
  const { status, files, finished } = app.read((db) => {
    const now = Date.now();
    return {
      status: readNowStatus(db, app.live, app.options, now),
      files: filesInFlight(db).map((file) => fileProgress(db, file, withResultCount(db, file.id), now)),
      finished: recentlyFinished(db, 5).map((file) => toListItem(file, stateCounts(db, file.id))),
    };
  });
  render(context, 'now', 'Now', nowPage(status, files, finished));
}

export function filesRoute(context: RequestContext): void {
  const search = context.url.searchParams;
  const q = (search.get('q') ?? '').slice(0, 200);
  const statusParam = search.get('status') ?? 'all';
  const status = isStatusFilter(statusParam) ? statusParam : 'all';
  const page = Math.max(1, Math.floor(Number(search.get('page') ?? '1')) || 1);
  const list = context.app.read((db) => listFiles(db, { q, status, page, pageSize: FILES_PAGE_SIZE }));
  render(context, 'files', 'Files', filesPage(list, q, status));
}

export function lookupRoute(context: RequestContext): void {
  const typed = (context.url.searchParams.get('imei') ?? '').trim().slice(0, MAX_IMEI_INPUT);
  const entries = typed === '' ? undefined : context.app.read((db) => readHistory(db, typed));
  render(context, 'lookup', typed ? `IMEI ${typed}` : 'IMEI look-up', lookupPage(typed, entries));
}

export function trendsRoute(context: RequestContext): void {
  const asked = Number(context.url.searchParams.get('days') ?? '7');
  const window: TrendWindow = (TREND_WINDOWS as readonly number[]).includes(asked) ? (asked as TrendWindow) : 7;
  const trends = context.app.read((db) => context.app.trends.trends(db, window));
  render(context, 'trends', 'Trends', trendsPage(trends, window));
}

export function uploadRoute(context: RequestContext): void {
  const { app } = context;
  const services = app.options.upload
    ? app.read((db) => db.prepare('SELECT id, title FROM services ORDER BY CAST(id AS INTEGER)').all() as ServiceChoice[])
    : [];
  render(context, 'upload', 'Upload', uploadPage(app.options.upload, services, 'else the default service'));
}

/** GET /login; also what an unauthenticated page request gets, with 401. */
export function loginForm(context: RequestContext, status: number, failed = false): void {
  const frame = { simulated: context.app.options.simulated, csrfToken: '', signedIn: false };
  sendHtml(context.response, status, layout('login', 'Sign in', frame, loginPage(failed)));
}

async function formBody(context: RequestContext): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of context.request) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > 4096) break;
  }
  return new URLSearchParams(text);
}

/** POST /login: the token typed once; the answer sets the session cookie. */
export async function loginRoute(context: RequestContext): Promise<void> {
  const { app, request, response } = context;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    try {
      if (new URL(origin).host !== request.headers.host) return loginForm(context, 403, true);
    } catch {
      return loginForm(context, 403, true);
    }
  }
  const cookie = app.auth.login((await formBody(context)).get('token') ?? '');
  if (!cookie) {
    app.log('warn', 'dashboard: a sign-in with a wrong token', { from: request.socket.remoteAddress ?? 'unknown' });
    return loginForm(context, 401, true);
  }
  redirect(response, '/', { 'Set-Cookie': cookie });
}

export function logoutRoute(context: RequestContext): void {
  redirect(context.response, context.app.auth.required ? '/login' : '/', { 'Set-Cookie': context.app.auth.logoutCookie() });
}

export function notFound(context: RequestContext): void {
  render(context, 'now', 'Not found', html`<h1>Not found</h1><p>There is no page here. <a href="/">Back to Now</a>.</p>`, 404);
}
