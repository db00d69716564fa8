/** `/assets/*`: the stylesheet, the script and the icon, from memory; nothing else is served as a file. */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../app.js';
import { securityHeaders, sendText } from '../respond.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { STYLES } from './styles.js';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#24292f"/>
<rect x="6" y="20" width="5" height="6" fill="#58a6ff"/><rect x="13.5" y="13" width="5" height="13" fill="#58a6ff"/>
<rect x="21" y="7" width="5" height="19" fill="#3fb950"/></svg>`;

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

function asset(type: string, text: string): Asset {
  const body = Buffer.from(text, 'utf8');
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

const ASSETS: Record<string, Asset> = {
  'app.css': asset('text/css; charset=utf-8', STYLES),
  'app.js': asset('text/javascript; charset=utf-8', CLIENT_SCRIPT),
  'icon.svg': asset('image/svg+xml', ICON),
};

export function serveAsset(context: RequestContext): void {
  const { response, request } = context;
  const found = Object.hasOwn(ASSETS, context.params[0] ?? '') ? ASSETS[context.params[0] as string] : undefined;
  if (!found) return sendText(response, 404, 'no such asset');
  securityHeaders(response, true);
  response.setHeader('ETag', found.etag);
  if (request.headers['if-none-match'] === found.etag) {
    response.writeHead(304);
    response.end();
    return;
  }
  response.writeHead(200, { 'Content-Type': found.type, 'Content-Length': String(found.body.length) });
  response.end(found.body);
}
