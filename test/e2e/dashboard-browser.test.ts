/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the
 * daemon as a child process, with a month of history in its store: sign in with the token,
 * upload a file holding a hostile cell, watch its bar reach 100% without a reload, download its
 * report, look up an IMEI and the hostile cell, see the trend charts drawn.
 *
 * Screenshots of each page go to the test's output folder (printed); with
 * IMEI_DAEMON_SCREENSHOTS=update they replace the README's, in test/e2e/__screenshots__/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistoryFixture } from '../../src/bench/history-fixture.js';
import { providerAt, useSimulatedWorkspace, validImeis } from './harness.js';
import { startWithDashboard, type DashboardDaemon } from './web-harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'browser-test-token-0123456789ab';
const HOSTILE = '<img src=x onerror=alert(1)>';
const CARD = '.file[data-file-name="orders-0412.csv"]';

/** The page's own `document`, as far as the functions run in it use it (the tests compile without the DOM library). */
declare const document: { querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null };
const README_SHOTS = fileURLToPath(new URL('./__screenshots__/', import.meta.url));
const SHOTS = process.env.IMEI_DAEMON_SCREENSHOTS === 'update' ? README_SHOTS : join(tmpdir(), 'imei-daemon-dashboard-screenshots');

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in a browser', () => {
  const env = useSimulatedWorkspace({ latencyMs: 350, completeAfterMs: 1500 });
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    process.stdout.write(`dashboard screenshots: ${SHOTS}\n`);
  });

  /** `fullPage` false: what the window shows (the Files page is long). */
  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  it('uploads a file, follows it live to 100%, downloads its report, looks up, draws trends, shows hostile cells as text', async () => {
    // A month of history, as a daemon that has run for a while holds.
    mkdirSync(env.ws.checkpoints, { recursive: true });
    writeHistoryFixture(join(env.ws.checkpoints, 'imei-daemon.sqlite'), { rows: 30_000, rowsPerFile: 400, days: 30 });
    const { daemon, url }: DashboardDaemon = await startWithDashboard(env.ws, {
      ...providerAt(env.sim.url),
      submission: { batchSize: 40, concurrency: 2 },
      results: { pollIntervalSeconds: 1 },
      web: { token: TOKEN },
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      // Sign in: the page asks for the token once, then a cookie carries the login.
      await page.goto(url);
      await page.fill('input[name=token]', TOKEN);
      await page.click('button[type=submit]');
      await page.waitForSelector('#in-flight');
      expect((await context.cookies()).find((c) => c.name === 'imei_daemon_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      // Upload from the page: a file with a hostile cell among its IMEIs.
      const imeis = validImeis(1200, 81);
      const input = join(env.ws.dir, 'orders-0412.csv');
      await writeFile(input, `IMEI\n${imeis.slice(0, 600).join('\n')}\n${HOSTILE}\n${imeis.slice(600).join('\n')}\n`);
      await page.click('nav >> text=Upload');
      await page.setInputFiles('#pick', input);
      const follow = page.locator('#uploads li[data-uploaded="orders-0412.csv"] a');
      await follow.waitFor();
      await shot(page, 'upload');

      // Its progress, live: the bar fills without a reload.
      await follow.click();
      const card = page.locator(CARD);
      await card.waitFor();
      await page.waitForFunction((selector) => Number.parseInt(document.querySelector(`${selector} [data-f="percent"]`)?.textContent ?? '0', 10) >= 50, CARD);
      await shot(page, 'now');
      await page.waitForFunction((selector) => document.querySelector(selector)?.getAttribute('data-state') === 'done', CARD, { timeout: 45_000 });
      expect(await card.locator('[data-f="percent"]').textContent()).toBe('100%');
      expect(await card.locator('.bar-wrap').getAttribute('aria-valuenow')).toBe('100');
      expect(await page.locator('#live-state').getAttribute('data-state')).toBe('live');

      // Its report, downloaded from the card.
      const [download] = await Promise.all([page.waitForEvent('download'), card.locator('[data-f="report"]').click()]);
      expect(download.suggestedFilename()).toBe('orders-0412.report.csv');
      const report = readFileSync((await download.path()) as string, 'utf8');
      expect(report.split('\r\n').filter((line) => line !== '')).toHaveLength(1202);

      // Files: the new file first, with its counts.
      await page.click('nav >> text=Files');
      const first = page.locator('.files-table tbody tr').first();
      expect(await first.locator('td.name').textContent()).toBe('orders-0412.csv');
      expect(await first.locator('td.num').nth(1).textContent()).toBe('1,200');
      await shot(page, 'files', false);

      // Look-up: an IMEI of the file, then the hostile cell, which shows as text.
      await page.click('nav >> text=IMEI look-up');
      await page.fill('input[name=imei]', imeis[5] as string);
      await page.click('form button[type=submit]');
      await page.locator('.lookup-table tbody tr').first().waitFor();
      expect(await page.locator('.lookup-table tbody tr').first().textContent()).toContain('orders-0412.csv');
      await shot(page, 'lookup');
      await page.fill('input[name=imei]', HOSTILE);
      await page.click('form button[type=submit]');
      await page.locator('#lookup-count').waitFor();
      expect(await page.locator('#lookup-count strong').textContent()).toBe(HOSTILE);
      expect(await page.locator('.lookup-table .badge').first().textContent()).toBe('Invalid');
      expect(await page.locator('img[src="x"]').count()).toBe(0);

      // Trends: the charts are drawn, a bar per day with orders.
      await page.click('nav >> text=Trends');
      await page.click('.toggle >> text=30 days');
      const bars = page.locator('#chart-ordered rect.bar');
      expect(await bars.count()).toBeGreaterThanOrEqual(25);
      const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
      expect(heights.filter((h) => h > 0).length).toBeGreaterThanOrEqual(25);
      expect(await page.locator('#chart-success polyline').count()).toBeGreaterThan(0);
      await shot(page, 'trends');

      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
  });
});
