/**
 * Now: the status cards, every file in flight with its progress bar, the files just finished.
 * Rendered whole on the server (it shows without scripts); the page's script then follows
 * `/api/events` and changes numbers and bar widths in place. A new file's card is cloned from
 * the <template> below, so the markup of a card lives here only.
 */
import { formatCount, formatDuration, formatPercent, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { NowStatus } from '../now-status.js';
import type { FileListItem } from '../queries/files.js';
import type { FileProgress } from '../queries/now.js';
import type { CardView } from '../status-view.js';

/** The bar's coloured parts, left to right; the rest of the bar is what is still to send. */
export const SEGMENTS: { key: string; label: string; count: (f: FileProgress) => number }[] = [
  { key: 'result', label: 'with result', count: (f) => f.withResult },
  { key: 'ordered', label: 'ordered, result pending', count: (f) => Math.max(0, f.ordered - f.withResult) },
  { key: 'failed', label: 'failed', count: (f) => f.failed },
  { key: 'unconfirmed', label: 'unconfirmed', count: (f) => f.unconfirmed },
  { key: 'other', label: 'duplicate or invalid', count: (f) => f.duplicates + f.invalid },
];

const BAR_WIDTH = 1000;

function segmentGeometry(file: FileProgress): { key: string; x: number; width: number }[] {
  let x = 0;
  return SEGMENTS.map((segment) => {
    const width = file.rows === 0 ? 0 : Math.round((segment.count(file) / file.rows) * BAR_WIDTH);
    const part = { key: segment.key, x, width };
    x += width;
    return part;
  });
}

function count(field: string, label: string, value: number): SafeHtml {
  return html`<div><dt>${label}</dt><dd data-f="${field}">${formatCount(value)}</dd></div>`;
}

/** One file's card; `undefined` renders the empty template the script clones. */
export function fileCard(file: FileProgress | undefined): SafeHtml {
  const empty: FileProgress = file ?? {
    id: 0, name: '', state: 'reading', status: 'reading', rows: 0, stored: 0, ordered: 0, withResult: 0, duplicates: 0,
    invalid: 0, failed: 0, unconfirmed: 0, checking: 0, toSend: 0, percent: 0, startedAt: null, finishedAt: null,
    reportUrl: null, summary: '',
  };
  const f = empty;
  const done = f.state === 'done';
  return html`<article class="file${done ? ' is-done' : ''}" data-file-id="${f.id}" data-file-name="${f.name}" data-state="${f.state}">
  <header><span class="name" data-f="name">${f.name}</span><span class="badge" data-f="status">${f.status}</span>
    <span class="pct" data-f="percent">${f.percent}%</span></header>
  <div class="bar-wrap" role="progressbar" aria-label="progress of ${f.name}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${f.percent}">
    <svg class="bar" viewBox="0 0 ${BAR_WIDTH} 16" preserveAspectRatio="none" aria-hidden="true">
      <rect class="track" width="${BAR_WIDTH}" height="16"></rect>
      ${segmentGeometry(f).map((s) => html`<rect class="seg seg-${s.key}" data-seg="${s.key}" x="${s.x}" width="${s.width}" height="16"></rect>`)}
    </svg>
  </div>
  <p class="line" data-f="summary">${f.summary}</p>
  <dl class="counts">
    ${count('ordered', 'ordered', f.ordered)}${count('withResult', 'with result', f.withResult)}${count('failed', 'failed', f.failed)}
    ${count('unconfirmed', 'unconfirmed', f.unconfirmed)}${count('notOrdered', 'duplicate or invalid', f.duplicates + f.invalid)}
    ${count('toSend', 'still to send', f.toSend + f.checking)}
  </dl>
  <p class="links" data-f="links"${done ? html`` : html` hidden`}><a data-f="report" href="${f.reportUrl ?? '#'}">report</a> ·
    <a data-f="summaryLink" href="${f.reportUrl ? f.reportUrl.replace(/report$/, 'summary') : '#'}">summary</a></p>
</article>`;
}

function card(id: string, title: string, view: CardView): SafeHtml {
  return html`<div class="card tone-${view.tone}" id="card-${id}" data-card="${id}">
  <h3>${title}</h3><p class="value" data-v="value">${view.value}</p><p class="detail" data-v="detail">${view.detail}</p></div>`;
}

function legend(): SafeHtml {
  return html`<ul class="legend">${SEGMENTS.map((s) => html`<li><span class="swatch seg-${s.key}"></span>${s.label}</li>`)}
    <li><span class="swatch track"></span>still to send</li></ul>`;
}

function finishedTable(files: readonly FileListItem[]): SafeHtml {
  if (files.length === 0) return html`<p class="empty">No file finished yet.</p>`;
  return html`<table class="data"><thead><tr><th>File</th><th class="num">Rows</th><th class="num">Ordered</th>
    <th class="num">Success</th><th>Finished</th><th class="num">Took</th><th>Downloads</th></tr></thead><tbody>
  ${files.map(
    (f) => html`<tr><td class="name">${f.name}</td><td class="num">${formatCount(f.rows)}</td><td class="num">${formatCount(f.accepted)}</td>
      <td class="num">${formatPercent(f.successRate)}</td><td>${formatTime(f.finishedAt)}</td><td class="num">${formatDuration(f.durationMs)}</td>
      <td>${f.reportUrl ? html`<a href="${f.reportUrl}">report</a> · <a href="${f.summaryUrl ?? '#'}">summary</a>` : html`–`}</td></tr>`,
  )}</tbody></table><p class="more"><a href="/files">All files →</a></p>`;
}

export function nowPage(status: NowStatus, files: readonly FileProgress[], finished: readonly FileListItem[]): SafeHtml {
  const v = status.view;
  return html`<section class="cards" aria-label="Status">
  ${card('open-orders', 'Open orders awaiting results', v.openOrders)}
  ${card('calls', 'Calls this minute', v.calls)}
  ${card('provider', 'Provider', v.provider)}
  ${card('alerts', 'Alerts', v.alerts)}
</section>
<p class="notice" id="unavailable" role="alert" hidden></p>
<section aria-labelledby="in-flight-title">
  <div class="section-head"><h2 id="in-flight-title">Files in flight</h2>${legend()}</div>
  <div id="in-flight" class="files">${files.map((file) => fileCard(file))}</div>
  <p class="empty" id="nothing-in-flight"${files.length > 0 ? html` hidden` : html``}>Nothing in flight. Drop a file into
    the inbox folder or <a href="/upload">upload one</a>; it shows here as soon as it is read.</p>
  <template id="file-card">${fileCard(undefined)}</template>
</section>
<section aria-labelledby="finished-title">
  <h2 id="finished-title">Just finished</h2>
  ${finishedTable(finished)}
</section>`;
}
