import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../src/web/html.js';
import { chart, niceCeiling } from '../../src/web/svg-chart.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">'\``;

describe('HTML built from outside values', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const page = html`<p title="${HOSTILE}">${HOSTILE}</p>${[HOSTILE, 1]}`.value;
    expect(page).not.toMatch(/<script|<img|onerror="/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&#96;');
  });

  it('leaves markup we wrote alone, and only that', () => {
    expect(html`${raw('<b>ours</b>')} ${'<b>theirs</b>'}`.value).toBe('<b>ours</b> &lt;b&gt;theirs&lt;/b&gt;');
    expect(escapeHtml('a & b')).toBe('a &amp; b');
  });
});

describe('server-drawn SVG charts', () => {
  const points = [
    { label: '11-27', value: 10, title: 'ten' },
    { label: '11-28', value: null, title: `${HOSTILE} nothing` },
    { label: HOSTILE, value: 40, title: 'forty' },
  ];

  it('draws one bar per day with a value, as tall as its share of a round maximum', () => {
    const svg = chart(points, { title: 'IMEIs', id: 'c', kind: 'bar', format: String }).value;
    const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect((heights[1] as number) / (heights[0] as number)).toBeCloseTo(4, 1);
    expect(svg).not.toMatch(/<script|<img/);
    expect(svg).toContain('&lt;script&gt;');
  });

  it('breaks a line where a day has no value instead of drawing it to zero', () => {
    const svg = chart(
      [...points, { label: 'x', value: 20, title: 'twenty' }],
      { title: 'rate', id: 'r', kind: 'line', format: String, max: 100 },
    ).value;
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
  });

  it('rounds the scale up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 7, 10, 11, 23, 240, 4100].map(niceCeiling)).toEqual([1, 10, 10, 20, 25, 250, 5000]);
  });
});
