/** Trends: the last 7 or 30 days, per day, as server-drawn charts, and the top reasons. */
import { formatCount, formatCredits, formatDuration, formatPercent } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { DayFigures, Trends } from '../queries/trends.js';
import { chart, type ChartPoint } from '../svg-chart.js';

export const TREND_WINDOWS = [7, 30] as const;
export type TrendWindow = (typeof TREND_WINDOWS)[number];

function points(days: readonly DayFigures[], value: (d: DayFigures) => number | null, text: (v: number) => string): ChartPoint[] {
  return days.map((d) => {
    const v = value(d);
    return { label: d.day.slice(5), value: v, title: `${d.day}: ${v === null ? 'nothing that day' : text(v)}` };
  });
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M`;
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)}k`;
  return formatCount(Math.round(n));
}

/** Tick labels short enough for the axis: `2.5 h`, `41 min`, `30 s`. */
function shortDuration(seconds: number): string {
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(seconds >= 36_000 ? 0 : 1)} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds)} s`;
}

function figure(title: string, value: string, id: string): SafeHtml {
  return html`<div class="card tone-quiet" id="total-${id}"><h3>${title}</h3><p class="value">${value}</p></div>`;
}

function reasons(title: string, id: string, list: readonly { reason: string; count: number }[]): SafeHtml {
  return html`<section class="reasons" aria-labelledby="${id}-title"><h2 id="${id}-title">${title}</h2>
  ${
    list.length === 0
      ? html`<p class="empty">None.</p>`
      : html`<table class="data" id="${id}"><thead><tr><th>Reason</th><th class="num">Rows</th></tr></thead><tbody>
        ${list.map((r) => html`<tr><td>${r.reason}</td><td class="num">${formatCount(r.count)}</td></tr>`)}</tbody></table>`
  }</section>`;
}

export function trendsPage(trends: Trends, window: TrendWindow): SafeHtml {
  const days = trends.days;
  const t = trends.totals;
  const charts = [
    {
      title: 'IMEIs ordered per day',
      svg: chart(points(days, (d) => d.ordered, (v) => `${formatCount(v)} IMEIs ordered`), {
        title: 'IMEIs ordered per day', id: 'chart-ordered', kind: 'bar', format: compact,
      }),
    },
    {
      title: 'Success rate (ordered / rows, files taken in that day)',
      svg: chart(points(days, (d) => d.successRate, (v) => formatPercent(v)), {
        title: 'Success rate per day', id: 'chart-success', kind: 'line', max: 1, format: (v) => `${Math.round(v * 100)}%`,
      }),
    },
    {
      title: 'Average time to result',
      svg: chart(points(days, (d) => d.averageResultSeconds, (v) => formatDuration(v * 1000)), {
        title: 'Average time to result per day', id: 'chart-result-time', kind: 'line', format: shortDuration,
      }),
    },
    {
      title: 'Credits spent',
      svg: chart(points(days, (d) => d.credits, (v) => formatCredits(v)), {
        title: 'Credits spent per day', id: 'chart-credits', kind: 'bar', format: (v) => `$${compact(v)}`,
      }),
    },
  ];
  return html`<div class="page-head"><h1>Trends</h1>
  <nav class="toggle" aria-label="Window">${[7, 30].map(
    (n) => html`<a href="/trends?days=${n}"${n === window ? html` aria-current="page"` : html``}>${n} days</a>`,
  )}</nav></div>
<section class="cards totals" aria-label="Totals over ${window} days">
  ${figure('IMEIs ordered', formatCount(t.ordered), 'ordered')}
  ${figure('Success rate', formatPercent(t.successRate), 'success')}
  ${figure('Average time to result', formatDuration(t.averageResultSeconds === null ? null : t.averageResultSeconds * 1000), 'result-time')}
  ${figure('Credits spent', formatCredits(t.credits), 'credits')}
</section>
<div class="charts">${charts.map((c) => html`<figure class="chart-box"><figcaption>${c.title}</figcaption>${c.svg}</figure>`)}</div>
<div class="two-columns">
  ${reasons('Top rejection reasons', 'top-rejections', trends.topRejections)}
  ${reasons('Top failure reasons', 'top-failures', trends.topFailures)}
</div>
<p class="muted">Days are this server's local days. Credits: orders not rejected, at the catalogue's price. Time to result:
from placing an order to the poll that found its final result.</p>`;
}
