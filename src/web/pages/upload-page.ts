/** Upload, and the login form. */
import { html, type SafeHtml } from '../html.js';

export interface ServiceChoice {
  id: string;
  title: string;
}

export function uploadPage(enabled: boolean, services: readonly ServiceChoice[], defaultServiceNote: string): SafeHtml {
  if (!enabled) {
    return html`<h1>Upload</h1><p class="notice">Uploads are switched off here (<code>web.upload: false</code>). Drop files into
      the inbox folder instead.</p>`;
  }
  return html`<h1>Upload</h1>
<p>A file uploaded here lands in the inbox exactly as a dropped file does: the same kinds of file, the same size limit,
the same report in <code>processed/</code>.</p>
<form id="upload-form" class="upload" method="post" action="/api/upload" enctype="application/octet-stream">
  <label>Service <select name="service" id="upload-service">
    <option value="">as the file says (${defaultServiceNote})</option>
    ${services.map((s) => html`<option value="${s.id}">${s.id} · ${s.title}</option>`)}
  </select></label>
  <div id="drop" class="drop" tabindex="0">
    <p><strong>Drop a file here</strong> or</p>
    <label class="button">Choose a file<input type="file" id="pick" accept=".csv,.txt,.xlsx,text/csv,text/plain"></label>
  </div>
</form>
<noscript><p class="notice">Uploading from this page needs JavaScript; without it, drop files into the inbox folder.</p></noscript>
<ul id="uploads" class="uploads" aria-live="polite"></ul>`;
}

export function loginPage(failed: boolean): SafeHtml {
  return html`<div class="login">
<h1>Sign in</h1>
<p>This dashboard is protected by the access token set in <code>web.token</code> (or <code>IMEI_DAEMON_WEB_TOKEN</code>).</p>
${failed ? html`<p class="notice" role="alert">That token is not right.</p>` : html``}
<form method="post" action="/login">
  <label>Access token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <button type="submit">Sign in</button>
</form>
</div>`;
}
