/** The frame of every page: head, the SIMULATED banner, navigation. */
import { html, type SafeHtml } from '../html.js';

export type PageName = 'now' | 'files' | 'lookup' | 'trends' | 'upload' | 'login';

export interface PageFrame {
  simulated: boolean;
  /** Sent back with uploads (X-CSRF-Token); empty on pages that change nothing. */
  csrfToken: string;
  /** A login exists (web.token set): show "Sign out". */
  signedIn: boolean;
}

const NAV: { page: PageName; href: string; label: string }[] = [
  { page: 'now', href: '/', label: 'Now' },
  { page: 'files', href: '/files', label: 'Files' },
  { page: 'lookup', href: '/imei', label: 'IMEI look-up' },
  { page: 'trends', href: '/trends', label: 'Trends' },
  { page: 'upload', href: '/upload', label: 'Upload' },
];

export function layout(page: PageName, title: string, frame: PageFrame, body: SafeHtml): SafeHtml {
  const nav =
    page === 'login'
      ? html``
      : html`<nav aria-label="Pages">${NAV.map(
          (item) => html`<a href="${item.href}"${item.page === page ? html` aria-current="page"` : html``}>${item.label}</a>`,
        )}</nav>`;
  const banner = frame.simulated
    ? html`<div class="simulated" role="alert"><strong>SIMULATED</strong> No API key is configured: orders go to the
        built-in simulator and nothing real is ordered.</div>`
    : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${frame.csrfToken}">
<title>${title} · imei-daemon</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body data-page="${page}"${frame.simulated ? html` class="is-simulated"` : html``}>
${banner}
<header class="top">
  <a class="brand" href="/">imei-daemon</a>
  ${nav}
  <span class="spacer"></span>
  ${page === 'now' ? html`<span class="live" id="live-state" data-state="connecting">connecting…</span>` : html``}
  ${frame.signedIn ? html`<a class="signout" href="/logout">Sign out</a>` : html``}
</header>
<main>
${body}
</main>
</body>
</html>`;
}
