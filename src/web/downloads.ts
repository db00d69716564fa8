/**
 * `GET /files/{id}/report` and `/files/{id}/summary`: the file's report and summary from
 * processed/, as the daemon wrote them. The path comes from the store (the processed stem the
 * daemon recorded), never from the request, and must resolve inside processed/.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { RequestContext } from './app.js';
import { processedStemOf } from './queries/files.js';
import { attachment, securityHeaders, sendText } from './respond.js';

const TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[dot === -1 ? '' : name.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}

/** The report's name: the summary says it (`reportFile`); else the daemon's `.report.csv`. */
async function reportName(processedDir: string, stem: string): Promise<string> {
  try {
    const summary = JSON.parse(await readFile(join(processedDir, `${stem}.summary.json`), 'utf8')) as { reportFile?: unknown };
    if (typeof summary.reportFile === 'string' && summary.reportFile !== '' && !/[/\\]/.test(summary.reportFile)) {
      const folder = stem.includes('/') ? stem.slice(0, stem.lastIndexOf('/') + 1) : '';
      return `${folder}${summary.reportFile}`;
    }
  } catch {
    // No summary (yet, or removed): the usual name.
  }
  return `${stem}.report.csv`;
}

export async function download(context: RequestContext, what: 'report' | 'summary'): Promise<void> {
  const { app, response } = context;
  const fileId = Number(context.params[0]);
  const file = app.read((db) => processedStemOf(db, fileId));
  if (!file) return sendText(response, 404, 'no such file');
  if (file.stem === null || file.state !== 'done') return sendText(response, 404, `the ${what} is written when the file is done`);
  const processed = app.options.processedDir;
  const relative = what === 'summary' ? `${file.stem}.summary.json` : await reportName(processed, file.stem);
  const path = join(processed, relative);
  if (!resolve(path).startsWith(resolve(processed) + sep)) return sendText(response, 404, 'no such file');
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return sendText(response, 404, `the ${what} is not in processed/ any more`);
    size = info.size;
  } catch {
    return sendText(response, 404, `the ${what} is not in processed/ any more`);
  }
  securityHeaders(response);
  response.writeHead(200, {
    'Content-Type': typeOf(relative),
    'Content-Length': String(size),
    'Content-Disposition': attachment(basename(relative)),
  });
  const stream = createReadStream(path);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}
