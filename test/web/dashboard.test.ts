/**
 * The dashboard in-process over real HTTP and a real store holding history (the benchmark's
 * fixture, with markup in a file name and in a provider result). The daemon side (events,
 * thread, port 0 from `start`) is covered by test/e2e/dashboard-*.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistoryFixture, type HistoryFixture } from '../../src/bench/history-fixture.js';
import { Dashboard } from '../../src/web/dashboard.js';
import type { WebThreadOptions } from '../../src/web/protocol.js';

const TOKEN = 'dashboard-test-token-0123456789';

interface Served {
  dashboard: Dashboard;
  url: string;
}

async function serve(options: WebThreadOptions): Promise<Served> {
  const dashboard = new Dashboard(options, { log: () => undefined, mainMetrics: async () => '# main thread\n' });
  return { dashboard, url: await dashboard.listen() };
}

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard over HTTP, with history in the store', () => {
  let dir: string;
  let options: WebThreadOptions;
  let fixture: HistoryFixture;
  let open: Served;
  let guarded: Served;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imei-dashboard-'));
    for (const folder of ['inbox', 'processed', 'checkpoints']) mkdirSync(join(dir, folder));
    const databasePath = join(dir, 'checkpoints', 'imei-daemon.sqlite');
    fixture = writeHistoryFixture(databasePath, { rows: 20_000, rowsPerFile: 200, days: 10, hostile: true });
    options = {
      host: '127.0.0.1', port: 0, token: '', upload: true, inboxDir: join(dir, 'inbox'), processedDir: join(dir, 'processed'),
      databasePath, simulated: true, maxFileBytes: 1000, maxCallsPerMinute: 60, alertThreshold: 0.8, alertMinIntervalMinutes: 60,
      pollIntervalSeconds: 60,
    };
    open = await serve(options);
    guarded = await serve({ ...options, token: TOKEN });
  });

  afterAll(async () => {
    await open?.dashboard.close();
    await guarded?.dashboard.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages the files newest first, finds them by name, and counts each one as its rows say', async () => {
    const first = (await (await fetch(`${open.url}api/files`)).json()) as { files: { id: number; name: string; rows: number; accepted: number; invalid: number }[]; total: number; pages: number };
    expect(first.total).toBe(fixture.files);
    expect(first.files).toHaveLength(50);
    expect(first.files.map((f) => f.id)).toEqual([...first.files.map((f) => f.id)].sort((a, b) => b - a));
    const db = new Database(options.databasePath, { readonly: true });
    const some = first.files[3] as { id: number; rows: number; accepted: number; invalid: number };
    const counted = db.prepare(`SELECT COUNT(*) AS rows, SUM(state = 'ordered') AS accepted, SUM(state = 'invalid') AS invalid FROM rows WHERE file_id = ?`).get(some.id);
    db.close();
    expect({ rows: some.rows, accepted: some.accepted, invalid: some.invalid }).toEqual(counted);
    const second = (await (await fetch(`${open.url}api/files?page=2`)).json()) as { files: { id: number }[] };
    expect(second.files[0]?.id).toBe((first.files[49]?.id ?? 0) - 1);
    const found = (await (await fetch(`${open.url}api/files?q=${fixture.sampleName}`)).json()) as { files: { name: string }[] };
    expect(found.files.map((f) => f.name)).toEqual([`${fixture.sampleName}.csv`]);
    expect((await fetch(`${open.url}api/files?q=100%25_`)).status).toBe(200);
    expect((await fetch(`${open.url}api/files?status=nonsense`)).status).toBe(400);
    const page = await (await fetch(`${open.url}files?page=2`)).text();
    expect(page).toContain('Page 2 of 2');
  });

  it('shows markup from a file name or a provider result as text', async () => {
    const files = await fetch(`${open.url}files`);
    expect(files.headers.get('content-security-policy')).toContain("script-src 'self'");
    const filesPage = await files.text();
    // Simulated mode is said on every page, first thing.
    expect(filesPage).toMatch(/<body[^>]*>\s*<div class="simulated" role="alert"><strong>SIMULATED<\/strong>/);
    expect(filesPage).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
    expect(filesPage).not.toContain('<img src=x');
    // The result text is made plain (tags dropped) as in the report; the file name keeps its markup, as text.
    const lookup = await (await fetch(`${open.url}imei?imei=${fixture.sampleImei}`)).text();
    expect(lookup).toContain('&lt;img src=x onerror=alert(1)&gt;.csv');
    expect(lookup).not.toMatch(/<script>alert|<b onerror|<img src=x/);
    const api = (await (await fetch(`${open.url}api/imei/${fixture.sampleImei}`)).json()) as { orders: { status: string; file: string }[] };
    expect(api.orders.map((o) => [o.status, o.file])).toEqual([['Completed', 'batch-00001.csv'], ['Duplicate', '<img src=x onerror=alert(1)>.csv']]);
    // A rejection reason is shown as the provider gave it: as text.
    const trends = await (await fetch(`${open.url}trends?days=30`)).text();
    expect(trends).toContain('&lt;img src=x onerror=alert(3)&gt; refused');
    expect(trends).not.toContain('<img src=x');
  });

  it('draws the trends of the last 7 and 30 days, adding up to what the store holds', async () => {
    const trends = (await (await fetch(`${open.url}api/trends?days=7`)).json()) as { days: { day: string }[]; totals: { ordered: number } };
    expect(trends.days).toHaveLength(7);
    const start = new Date();
    const since = new Date(start.getFullYear(), start.getMonth(), start.getDate() - 6).toISOString();
    const db = new Database(options.databasePath, { readonly: true });
    const expected = db.prepare('SELECT COUNT(*) FROM orders WHERE placed_at >= ?').pluck().get(since);
    db.close();
    expect(trends.totals.ordered).toBe(expected);
    const page = await (await fetch(`${open.url}trends?days=30`)).text();
    const bars = [...page.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(bars.filter((h) => h > 0).length).toBeGreaterThanOrEqual(10);
    expect(page).toContain('id="chart-success"');
    expect((await fetch(`${open.url}api/trends?days=9`)).status).toBe(400);
  });

  it('serves Prometheus text whose every name starts imei_daemon_', async () => {
    const text = await (await fetch(`${open.url}metrics`)).text();
    const names = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] as string));
    for (const name of ['imei_daemon_rows', 'imei_daemon_orders_placed_total', 'imei_daemon_provider_calls_total',
      'imei_daemon_provider_call_duration_seconds', 'imei_daemon_open_orders', 'imei_daemon_files_in_flight', 'imei_daemon_alert_active']) {
      expect(names).toContain(name);
    }
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line).toMatch(/^imei_daemon_/);
    const rows = [...text.matchAll(/^imei_daemon_rows\{status="[^"]+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(rows).toBe(fixture.rows);
  });

  it('puts an upload in the inbox under a free name, and refuses names, sizes and other sites', async () => {
    const post = (query: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${open.url}api/upload${query}`, { method: 'POST', body, headers });
    writeFileSync(join(options.inboxDir, 'orders.csv'), 'IMEI\n');
    const created = await post('?name=orders.csv&service=269', 'IMEI\n353979106673567\n');
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'orders.csv', file: '269/orders.csv', bytes: 21 });
    const again = (await (await post('?name=orders.csv', 'IMEI\n353979106673567\n')).json()) as { file: string };
    expect(again.file).toBe('orders-2.csv');
    expect(readFileSync(join(options.inboxDir, 'orders.csv'), 'utf8')).toBe('IMEI\n');
    expect((await post('?name=../escape.csv', 'x')).status).toBe(400);
    expect((await post('?name=x.exe', 'x')).status).toBe(400);
    expect((await post('?name=big.csv', 'x'.repeat(2000))).status).toBe(413);
    expect((await post('?name=evil.csv', 'x', { Origin: 'https://evil.example' })).status).toBe(403);
    expect(readdirSync(options.inboxDir).sort()).toEqual(['269', 'orders-2.csv', 'orders.csv']);
    const rebinding = await rawGet(`${open.url}api/files`, { host: 'attacker.example' });
    expect(rebinding.status).toBe(403);
  });

  it('with a token: 401 without it, the Bearer header or the login cookie with it, /healthz for all; never the token', async () => {
    const base = guarded.url;
    expect((await fetch(`${base}healthz`)).status).toBe(200);
    expect((await fetch(`${base}api/files`)).status).toBe(401);
    expect((await fetch(`${base}metrics`)).status).toBe(401);
    const page = await fetch(base);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('name="token"');
    const bearer = { Authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}api/files`, { headers: bearer })).status).toBe(200);
    const wrong = await fetch(`${base}login`, { method: 'POST', body: 'token=nope', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${base}login`, { method: 'POST', body: `token=${TOKEN}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const now = await fetch(base, { headers: { cookie } });
    expect(now.status).toBe(200);
    const everything = [await now.text(), await (await fetch(`${base}metrics`, { headers: bearer })).text(),
      await (await fetch(`${base}api/status`, { headers: bearer })).text(), cookie];
    for (const text of everything) expect(text).not.toContain(TOKEN);
    // A cookie-signed-in browser needs the page's CSRF token to upload.
    expect((await fetch(`${base}api/upload?name=c.csv`, { method: 'POST', body: 'IMEI\n', headers: { cookie } })).status).toBe(403);
  });

  it('answers 503 with a plain line while the database cannot be read, and recovers by itself', async () => {
    const path = join(dir, 'broken.sqlite');
    writeFileSync(path, 'this is not a database, just bytes in its place '.repeat(100));
    const broken = await serve({ ...options, databasePath: path });
    try {
      const answer = await fetch(`${broken.url}api/files`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await answer.text()).toMatch(/^the dashboard cannot read the database just now: .+ The daemon goes on working/);
      expect((await fetch(broken.url)).status).toBe(503);
      expect((await fetch(`${broken.url}healthz`)).status).toBe(200);
      const ready = (await (await fetch(`${broken.url}readyz`)).json()) as { checks: { database: { ok: boolean } } };
      expect(ready.checks.database.ok).toBe(false);
      rmSync(path);
      writeFileSync(path, readFileSync(options.databasePath));
      expect(existsSync(path)).toBe(true);
      expect((await fetch(`${broken.url}api/files`)).status).toBe(200);
    } finally {
      await broken.dashboard.close();
    }
  });

  it('refuses uploads when they are switched off', async () => {
    const off = await serve({ ...options, upload: false });
    try {
      expect((await fetch(`${off.url}api/upload?name=x.csv`, { method: 'POST', body: 'IMEI\n' })).status).toBe(403);
      expect(await (await fetch(`${off.url}upload`)).text()).toContain('Uploads are switched off');
    } finally {
      await off.dashboard.close();
    }
  });
});
