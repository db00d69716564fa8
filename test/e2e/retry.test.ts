import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import {
  TEST_API_KEY,
  TEST_USER,
  makeWorkspace,
  providerAt,
  readReport,
  runCli,
  startCli,
  validImeis,
  waitFor,
  waitForFile,
  type Workspace,
} from './harness.js';

/** The distinct statuses of a report, with the provider's order states folded into 'Ordered'. */
async function statuses(path: string): Promise<string[]> {
  const ordered = new Set(['Pending', 'In Process', 'Completed']);
  return [...new Set((await readReport(path)).map((r) => (ordered.has(r.STATUS as string) ? 'Ordered' : (r.STATUS as string))))];
}

describe('retry of Failed rows', () => {
  let ws: Workspace;
  let sim: Simulator;

  beforeEach(async () => {
    ws = await makeWorkspace();
    sim = await startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, latencyMs: 5 });
  });
  afterEach(async () => {
    await sim.close();
    await ws.cleanup();
  });

  it('orders every failed row exactly once when the schedule runs after the provider is back', async () => {
    await sim.setDown(true);
    await ws.writeConfig({
      ...providerAt(sim.url, 2000),
      submission: { maxAttempts: 2, retryBaseMs: 10 },
      retry: { schedule: '*/2 * * * * *' },
    });
    const imeis = validImeis(150, 11);
    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(ws.inbox, 'down.csv'), `imei\n${imeis.join('\n')}\n`);
      const report = join(ws.processed, 'down.report.csv');
      await waitForFile(report);
      expect(await statuses(report)).toEqual(['Failed']);
      const failed = await readReport(report);
      expect(failed[0]?.NOTE).toMatch(/scheduled retry will try again/);

      await sim.setDown(false);
      await waitFor(async () => (await statuses(report)).join() === 'Ordered', 'report turned to ordered', 30_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    const ordered = sim.orders().map((o) => o.imei);
    expect(ordered.sort()).toEqual([...imeis].sort());
  });

  it('`retry` with no daemon running sends the failed rows now and rewrites the report', async () => {
    await sim.setDown(true);
    await ws.writeConfig({ ...providerAt(sim.url, 2000), submission: { maxAttempts: 1, retryBaseMs: 10 } });
    const imeis = validImeis(120, 12);
    await writeFile(join(ws.inbox, 'later.csv'), `imei\n${imeis.join('\n')}\n`);
    const first = await runCli(['run-once', '--config', ws.configFile]);
    expect(first.code, first.stderr).toBe(0);
    const report = join(ws.processed, 'later.report.csv');
    expect(await statuses(report)).toEqual(['Failed']);

    await sim.setDown(false);
    const retry = await runCli(['retry', '--config', ws.configFile]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('retry: 120 rows sent again');
    expect(await statuses(report)).toEqual(['Ordered']);
    expect(sim.orders()).toHaveLength(120);
    // A second retry finds nothing to send.
    const again = await runCli(['retry', '--config', ws.configFile]);
    expect(again.stdout).toContain('retry: 0 rows sent again');
    expect(sim.stats().placeorderCalls).toBe(2);
  });

  it('`retry` while the daemon runs asks it to retry now', async () => {
    await sim.setDown(true);
    await ws.writeConfig({ ...providerAt(sim.url, 2000), submission: { maxAttempts: 1, retryBaseMs: 10 } });
    const daemon = startCli(['start', '--config', ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(ws.inbox, 'busy.csv'), `imei\n${validImeis(30, 13).join('\n')}\n`);
      const report = join(ws.processed, 'busy.report.csv');
      await waitForFile(report);
      expect(await statuses(report)).toEqual(['Failed']);
      await sim.setDown(false);
      const retry = await runCli(['retry', '--config', ws.configFile]);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stdout).toMatch(/asked the running daemon/);
      await waitFor(async () => (await statuses(report)).join() === 'Ordered', 'report turned to ordered');
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    expect(sim.orders()).toHaveLength(30);
  });
});
