/** Files: the history of files, newest first, with search, status filter, pages and downloads. */
import { formatCount, formatDuration, formatPercent, formatTime } from '../format.js';
import { html, queryString, type SafeHtml } from '../html.js';
import { STATUS_FILTERS, type FileList, type FileListItem, type StatusFilter } from '../queries/files.js';

const FILTER_LABELS: Record<StatusFilter, string> = {
  all: 'all',
  'in-progress': 'in progress',
  done: 'done',
  refused: 'refused',
  'read-in-part': 'read in part',
  repeat: 'repeats of earlier files',
};

function row(file: FileListItem): SafeHtml {
  const downloads = file.reportUrl
    ? html`<a href="${file.reportUrl}">report</a> · <a href="${file.summaryUrl ?? '#'}">summary</a>`
    : html`<span class="muted">when done</span>`;
  return html`<tr data-file-id="${file.id}">
    <td class="name">${file.name}${file.error ? html`<div class="error-note">${file.error}</div>` : html``}</td>
    <td><span class="badge status-${file.status.replace(/ /g, '-')}">${file.status}</span></td>
    <td class="num">${formatCount(file.rows)}</td><td class="num">${formatCount(file.accepted)}</td>
    <td class="num">${formatCount(file.duplicates)}</td><td class="num">${formatCount(file.invalid)}</td>
    <td class="num">${formatCount(file.failed)}</td><td class="num">${formatCount(file.unconfirmed)}</td>
    <td class="num">${formatPercent(file.successRate)}</td>
    <td>${formatTime(file.startedAt)}</td><td class="num">${formatDuration(file.durationMs)}</td>
    <td>${downloads}</td></tr>`;
}

export function filesPage(list: FileList, q: string, status: StatusFilter): SafeHtml {
  const link = (page: number): string => `/files${queryString({ q, status: status === 'all' ? '' : status, page })}`;
  const pager =
    list.pages > 1
      ? html`<nav class="pager" aria-label="Pages of files">
          ${list.page > 1 ? html`<a href="${link(list.page - 1)}" rel="prev">← Newer</a>` : html`<span></span>`}
          <span>Page ${formatCount(list.page)} of ${formatCount(list.pages)}</span>
          ${list.page < list.pages ? html`<a href="${link(list.page + 1)}" rel="next">Older →</a>` : html`<span></span>`}
        </nav>`
      : html``;
  const table =
    list.files.length === 0
      ? html`<p class="empty">${q || status !== 'all' ? 'No file matches.' : 'No file yet.'}</p>`
      : html`<div class="table-scroll"><table class="data files-table"><thead><tr><th>File</th><th>Status</th><th class="num">Rows</th>
          <th class="num">Ordered</th><th class="num">Duplicates</th><th class="num">Invalid</th><th class="num">Failed</th>
          <th class="num">Unconfirmed</th><th class="num">Success</th><th>Started</th><th class="num">Took</th><th>Downloads</th></tr></thead>
          <tbody>${list.files.map(row)}</tbody></table></div>`;
  return html`<h1>Files</h1>
<form class="filters" method="get" action="/files" role="search">
  <label>Name contains <input type="search" name="q" value="${q}" placeholder="orders-0412" autocomplete="off"></label>
  <label>Status <select name="status">${STATUS_FILTERS.map(
    (value) => html`<option value="${value}"${value === status ? html` selected` : html``}>${FILTER_LABELS[value]}</option>`,
  )}</select></label>
  <button type="submit">Show</button>
</form>
<p class="muted">${formatCount(list.total)} ${list.total === 1 ? 'file' : 'files'}, newest first.</p>
${table}
${pager}`;
}
