/** IMEI look-up: every order of an IMEI, its status, result fields and file (what `history` prints). */
import type { HistoryEntry } from '../../commands/history.js';
import { formatCount } from '../format.js';
import { html, queryString, type SafeHtml } from '../html.js';

const RESULT_FIELDS: { key: 'model' | 'carrier' | 'simlock' | 'fmi' | 'imei2'; label: string }[] = [
  { key: 'model', label: 'Model' },
  { key: 'carrier', label: 'Carrier' },
  { key: 'simlock', label: 'SimLock' },
  { key: 'fmi', label: 'FMI' },
  { key: 'imei2', label: 'IMEI 2' },
];

function result(entry: HistoryEntry): SafeHtml {
  const fields = entry.result ? RESULT_FIELDS.filter((f) => (entry.result?.[f.key] ?? '') !== '') : [];
  const list =
    fields.length > 0
      ? html`<dl class="result">${fields.map((f) => html`<div><dt>${f.label}</dt><dd>${entry.result?.[f.key] ?? ''}</dd></div>`)}</dl>`
      : html``;
  const code = entry.code !== '' ? html`<div class="code">${entry.code}</div>` : html``;
  return html`${list}${code}`;
}

function entryRow(entry: HistoryEntry): SafeHtml {
  const service = entry.service ? html`${entry.service} <span class="muted">(${entry.serviceId})</span>` : html`service ${entry.serviceId}`;
  return html`<tr>
    <td>${entry.date}</td><td>${service}</td><td>${entry.orderId ?? html`<span class="muted">none</span>`}</td>
    <td><span class="badge status-${entry.status.toLowerCase().replace(/ /g, '-')}">${entry.status}</span></td>
    <td class="result-cell">${result(entry)}</td>
    <td><a href="/files${queryString({ q: entry.file })}">${entry.file}</a> <span class="muted">row ${entry.row}</span></td>
    <td class="note">${entry.note}</td></tr>`;
}

export function lookupPage(typed: string, entries: readonly HistoryEntry[] | undefined): SafeHtml {
  const found =
    entries === undefined
      ? html`<p class="muted">Type an IMEI (15 digits; spaces and dashes are fine) to see every order the daemon knows for it.</p>`
      : entries.length === 0
        ? html`<p class="empty" id="lookup-none">No order known for ${typed}.</p>`
        : html`<p id="lookup-count">${formatCount(entries.length)} ${entries.length === 1 ? 'entry' : 'entries'} for <strong>${typed}</strong>, oldest first.</p>
          <div class="table-scroll"><table class="data lookup-table"><thead><tr><th>Date</th><th>Service</th><th>Order</th><th>Status</th>
          <th>Result</th><th>File</th><th>Note</th></tr></thead><tbody>${entries.map(entryRow)}</tbody></table></div>`;
  return html`<h1>IMEI look-up</h1>
<form class="filters" method="get" action="/imei" role="search">
  <label>IMEI <input type="search" name="imei" value="${typed}" inputmode="numeric" maxlength="64" autocomplete="off" autofocus
    placeholder="353979106673567"></label>
  <button type="submit">Look up</button>
</form>
${found}`;
}
