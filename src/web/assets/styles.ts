/** The dashboard's stylesheet, served as /assets/app.css (no inline styles: the CSP forbids them). */
export const STYLES = String.raw`
:root {
  --bg: #f5f6f8; --panel: #fff; --ink: #1c2430; --muted: #5f6b7a; --line: #dde2e8; --accent: #1f6feb;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e;
  --seg-result: #1a7f37; --seg-ordered: #58a6ff; --seg-failed: #cf222e; --seg-unconfirmed: #bf8700; --seg-other: #8c959f; --track: #e6eaef;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
code { background: #eef1f4; padding: 0 .3em; border-radius: 4px; }
.simulated { background: repeating-linear-gradient(45deg, #ffd33d, #ffd33d 14px, #ffdf5d 14px, #ffdf5d 28px);
  color: #3b2300; padding: .55rem 1.2rem; font-weight: 600; border-bottom: 2px solid #9a6700; }
.simulated strong { background: #3b2300; color: #ffd33d; padding: .1rem .5rem; margin-right: .6rem; border-radius: 3px; letter-spacing: .08em; }
header.top { display: flex; align-items: center; gap: 1.4rem; padding: .7rem 1.4rem; background: #24292f; color: #fff; flex-wrap: wrap; }
header.top .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.05rem; letter-spacing: .01em; }
header.top nav { display: flex; gap: .3rem; flex-wrap: wrap; }
header.top nav a { color: #d0d7de; text-decoration: none; padding: .35rem .7rem; border-radius: 6px; }
header.top nav a:hover { background: #32383f; color: #fff; }
header.top nav a[aria-current="page"] { background: #fff; color: #24292f; font-weight: 600; }
header.top .spacer { flex: 1; }
header.top .signout { color: #d0d7de; }
.live { font-size: .85rem; padding: .2rem .6rem; border-radius: 999px; background: #57606a; }
.live[data-state="live"] { background: var(--ok); }
.live[data-state="lost"] { background: var(--bad); }
main { max-width: 1240px; margin: 0 auto; padding: 1.2rem 1.4rem 3rem; }
h1 { font-size: 1.45rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .7rem; }
.muted { color: var(--muted); }
.empty { color: var(--muted); background: var(--panel); border: 1px dashed var(--line); border-radius: 8px; padding: 1rem; }
.notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 8px; padding: .7rem 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: .9rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.card h3 { margin: 0; font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.card .value { margin: .25rem 0 .15rem; font-size: 1.55rem; font-weight: 650; }
.card .detail { margin: 0; color: var(--muted); font-size: .88rem; overflow-wrap: anywhere; }
.card.tone-ok { border-left-color: var(--ok); } .card.tone-warn { border-left-color: var(--warn); } .card.tone-bad { border-left-color: var(--bad); }
.card.tone-bad .value { color: var(--bad); }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: 0; font-size: .82rem; color: var(--muted); flex-wrap: wrap; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.files { display: grid; gap: .8rem; }
.file { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.file.focus { outline: 3px solid var(--accent); }
.file header { display: flex; align-items: center; gap: .7rem; }
.file .name { font-weight: 600; overflow-wrap: anywhere; }
.file .pct { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 650; font-size: 1.1rem; }
.bar-wrap { margin: .5rem 0 .3rem; }
svg.bar { display: block; width: 100%; height: 16px; border-radius: 4px; }
.track { fill: var(--track); background: var(--track); }
.seg-result { fill: var(--seg-result); background: var(--seg-result); }
.seg-ordered { fill: var(--seg-ordered); background: var(--seg-ordered); }
.seg-failed { fill: var(--seg-failed); background: var(--seg-failed); }
.seg-unconfirmed { fill: var(--seg-unconfirmed); background: var(--seg-unconfirmed); }
.seg-other { fill: var(--seg-other); background: var(--seg-other); }
.file .line { margin: 0 0 .4rem; color: var(--muted); font-size: .9rem; }
dl.counts { display: flex; flex-wrap: wrap; gap: .3rem 1.4rem; margin: 0; font-size: .88rem; }
dl.counts div, dl.result div { display: flex; gap: .35rem; }
dl.counts dt, dl.result dt { color: var(--muted); }
dl.counts dd, dl.result dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.file .links { margin: .4rem 0 0; }
.badge { display: inline-block; font-size: .78rem; padding: .08rem .5rem; border-radius: 999px; background: #eaeef2; color: #424a53; white-space: nowrap; }
.file.is-done .badge, .badge.status-done, .badge.status-completed { background: #dafbe1; color: var(--ok); }
.badge.status-refused, .badge.status-rejected, .badge.status-failed, .badge.status-invalid { background: #ffebe9; color: var(--bad); }
.badge.status-read-in-part, .badge.status-unconfirmed, .badge.status-unknown, .badge.status-pending, .badge.status-in-process { background: #fff8c5; color: var(--warn); }
table.data { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; font-size: .9rem; }
table.data th, table.data td { padding: .45rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data th { background: #f6f8fa; font-weight: 600; color: #424a53; white-space: nowrap; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.name { overflow-wrap: anywhere; font-weight: 550; }
table.data tbody tr:hover { background: #f6f8fa; }
.table-scroll { overflow-x: auto; }
.error-note { color: var(--bad); font-weight: 400; font-size: .82rem; }
.code { font-family: ui-monospace, "Liberation Mono", monospace; font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: .85rem; max-width: 28rem; }
dl.result { margin: 0 0 .3rem; }
form.filters { display: flex; gap: .8rem; align-items: end; flex-wrap: wrap; margin-bottom: .6rem; }
form.filters label, form.upload label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
input[type=search], input[type=password], select { font: inherit; padding: .4rem .6rem; border: 1px solid #c5ccd3; border-radius: 6px; min-width: 16rem; background: #fff; }
button, .button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: .45rem 1rem; cursor: pointer; }
.pager { display: flex; justify-content: space-between; align-items: center; margin-top: .8rem; }
.more { margin-top: .5rem; }
.page-head { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
.toggle { display: flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: var(--panel); }
.toggle a { padding: .35rem .9rem; text-decoration: none; color: var(--ink); }
.toggle a[aria-current="page"] { background: var(--accent); color: #fff; }
.totals { margin-bottom: 1rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: .9rem; }
.chart-box { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.chart-box figcaption { font-weight: 600; font-size: .92rem; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid { stroke: #e6eaef; stroke-width: 1; }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .bar { fill: #58a6ff; }
svg.chart .bar:hover, svg.chart .dot:hover { fill: var(--accent); }
svg.chart .line { fill: none; stroke: var(--ok); stroke-width: 2.5; }
svg.chart .dot { fill: var(--ok); }
.two-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 0 1rem; }
.drop { margin-top: 1rem; border: 2px dashed #8c959f; border-radius: 10px; padding: 2.2rem 1rem; text-align: center; background: var(--panel); }
.drop.over { border-color: var(--accent); background: #ddf4ff; }
.drop input[type=file] { position: absolute; left: -10000px; }
.drop label.button { display: inline-block; color: #fff; font-size: 1rem; }
form.upload select { min-width: 0; max-width: 36rem; }
.uploads { list-style: none; padding: 0; display: grid; gap: .5rem; }
.uploads li { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .9rem; }
.uploads li.failed { border-color: var(--bad); color: var(--bad); }
.login { max-width: 26rem; margin: 3rem auto; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1.4rem 1.6rem; }
.login form { display: grid; gap: .8rem; }
.login label { display: grid; gap: .3rem; }
@media (max-width: 640px) { .charts { grid-template-columns: 1fr; } input[type=search], select { min-width: 0; width: 100%; } }
`;
