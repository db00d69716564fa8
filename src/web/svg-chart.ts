/**
 * Charts drawn on the server as SVG: no chart library, nothing loaded from elsewhere, and they
 * show with scripts off. Colours come from the stylesheet (classes), so the charts follow it.
 */
import { html, raw, type SafeHtml } from './html.js';

export interface ChartPoint {
  /** Under the x axis: `11-28`. */
  label: string;
  /** null: nothing to show that day (no files, no results). */
  value: number | null;
  /** Shown on hover: `2026-11-28: 1,204 IMEIs`. */
  title: string;
}

export interface ChartOptions {
  /** For the accessible name and the element id. */
  title: string;
  id: string;
  kind: 'bar' | 'line';
  /** Tick labels: `1.2k`, `95%`, `3 min`. */
  format: (value: number) => string;
  /** A fixed top of the scale (100% for rates); default: a round number above the largest value. */
  max?: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { left: 56, right: 12, top: 12, bottom: 28 };
const TICKS = 4;

/** 1, 2, 2.5 or 5 times a power of ten, at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function chart(points: readonly ChartPoint[], options: ChartOptions): SafeHtml {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = points.map((p) => p.value ?? 0);
  const max = options.max ?? niceCeiling(Math.max(0, ...values));
  const y = (value: number): number => round(MARGIN.top + plotHeight - (Math.min(value, max) / max) * plotHeight);
  const slot = plotWidth / Math.max(1, points.length);
  const x = (index: number): number => round(MARGIN.left + slot * index + slot / 2);
  const labelEvery = Math.max(1, Math.ceil(points.length / 10));

  const grid = Array.from({ length: TICKS + 1 }, (_, i) => {
    const value = (max / TICKS) * i;
    return html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}"></line>
      <text class="tick" x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${options.format(value)}</text>`;
  });
  const labels = points.map((point, i) =>
    i % labelEvery === 0 || i === points.length - 1
      ? html`<text class="tick" x="${x(i)}" y="${HEIGHT - 8}" text-anchor="middle">${point.label}</text>`
      : raw(''),
  );
  const marks = options.kind === 'bar' ? bars(points, x, y, slot) : line(points, x, y);
  return html`<svg class="chart" id="${options.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.title}">
    <title>${options.title}</title>${grid}${marks}${labels}</svg>`;
}

function bars(points: readonly ChartPoint[], x: (i: number) => number, y: (v: number) => number, slot: number): SafeHtml {
  const width = round(Math.max(2, slot * 0.7));
  const base = y(0);
  return html`${points.map((point, i) => {
    if (point.value === null) return raw('');
    const top = y(point.value);
    return html`<rect class="bar" x="${round(x(i) - width / 2)}" y="${top}" width="${width}" height="${round(base - top)}"><title>${point.title}</title></rect>`;
  })}`;
}

function line(points: readonly ChartPoint[], x: (i: number) => number, y: (v: number) => number): SafeHtml {
  // Days without a value break the line rather than drawing it down to zero.
  const runs: string[][] = [[]];
  points.forEach((point, i) => {
    if (point.value === null) runs.push([]);
    else (runs[runs.length - 1] as string[]).push(`${x(i)},${y(point.value)}`);
  });
  const lines = runs.filter((run) => run.length > 1).map((run) => html`<polyline class="line" points="${run.join(' ')}"></polyline>`);
  const dots = points.map((point, i) =>
    point.value === null ? raw('') : html`<circle class="dot" cx="${x(i)}" cy="${y(point.value)}" r="3.5"><title>${point.title}</title></circle>`,
  );
  return html`${lines}${dots}`;
}
