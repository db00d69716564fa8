/** The JSON API, the live stream, uploads and metrics (daemon-contract.md, endpoints table). */
import { readHistory } from '../commands/history.js';
import { UploadRefusedError } from '../errors.js';
import type { RequestContext } from './app.js';
import { readNowStatus } from './now-status.js';
import { FILES_PAGE_SIZE, MAX_IMEI_INPUT } from './page-routes.js';
import { TREND_WINDOWS } from './pages/trends-page.js';
import { isStatusFilter, listFiles } from './queries/files.js';
import { sendJson, sendText } from './respond.js';
import { receiveUpload } from './upload.js';

/** `GET /api/files?q=&status=&page=`: `{"files":[...], total, page, pageSize, pages}`, newest first. */
export function apiFiles(context: RequestContext): void {
  const search = context.url.searchParams;
  const statusParam = search.get('status') ?? 'all';
  if (!isStatusFilter(statusParam)) return sendText(context.response, 400, `status must be one of: all, in-progress, done, refused, read-in-part, repeat`);
  const page = Math.max(1, Math.floor(Number(search.get('page') ?? '1')) || 1);
  const q = (search.get('q') ?? '').slice(0, 200);
  sendJson(context.response, 200, context.app.read((db) => listFiles(db, { q, status: statusParam, page, pageSize: FILES_PAGE_SIZE })));
}

/** `GET /api/imei/{IMEI}`: `{"orders":[...]}`, the objects `history --json` prints. */
export function apiImei(context: RequestContext): void {
  const typed = (context.params[0] ?? '').trim();
  if (typed === '' || typed.length > MAX_IMEI_INPUT) return sendText(context.response, 400, 'give an IMEI: /api/imei/353979106673567');
  sendJson(context.response, 200, { imei: typed, orders: context.app.read((db) => readHistory(db, typed)) });
}

/** `GET /api/status`: what the Now page's cards show. */
export function apiStatus(context: RequestContext): void {
  const { app } = context;
  sendJson(context.response, 200, app.read((db) => readNowStatus(db, app.live, app.options)));
}

/** `GET /api/trends?days=7|30`. */
export function apiTrends(context: RequestContext): void {
  const asked = Number(context.url.searchParams.get('days') ?? '7');
  if (!(TREND_WINDOWS as readonly number[]).includes(asked)) return sendText(context.response, 400, 'days must be 7 or 30');
  sendJson(context.response, 200, context.app.read((db) => context.app.trends.trends(db, asked)));
}

/** `GET /api/events`: the live stream; first the status and every file in flight, then changes. */
export function apiEvents(context: RequestContext): void {
  const { app, request, response } = context;
  const initial = app.feed.initialMessages();
  if (!app.clients.open(request, response, initial)) {
    sendText(response, 503, 'too many live pages are open; close some and reload', { 'Retry-After': '10' });
  }
}

/** `POST /api/upload?name=FILE[&service=ID]`: 201 with the name it got in the inbox. */
export async function apiUpload(context: RequestContext): Promise<void> {
  const { app, request, response, url } = context;
  if (!app.options.upload) {
    request.resume();
    return sendText(response, 403, 'uploads are switched off (web.upload: false)');
  }
  if (!app.auth.csrfOk(request, context.access)) {
    request.resume();
    return sendText(response, 403, 'refused: this upload did not come from the dashboard page (CSRF check); reload the page and try again');
  }
  try {
    const uploaded = await receiveUpload(
      request,
      { inboxDir: app.options.inboxDir, maxFileBytes: app.options.maxFileBytes },
      url.searchParams.get('name'),
      url.searchParams.get('service'),
    );
    app.log('info', `dashboard: upload ${uploaded.file} (${uploaded.bytes} bytes) placed in the inbox`, { file: uploaded.file, bytes: uploaded.bytes });
    sendJson(response, 201, { ...uploaded, progressUrl: `/?file=${encodeURIComponent(uploaded.file)}` });
  } catch (error) {
    if (!(error instanceof UploadRefusedError)) throw error;
    // A refused body may be half read: the connection is closed after the answer, not reused.
    sendText(response, error.status, error.message, error.status === 413 ? { Connection: 'close' } : {});
    if (error.status === 413) response.on('finish', () => request.destroy());
  }
}

/** `GET /metrics`: Prometheus text, ours and the main thread's process metrics. */
export async function metricsRoute(context: RequestContext): Promise<void> {
  const { app, response } = context;
  const text = await app.metrics.text(await app.mainMetrics());
  response.writeHead(200, { 'Content-Type': app.metrics.contentType, 'Cache-Control': 'no-store' });
  response.end(text);
}
