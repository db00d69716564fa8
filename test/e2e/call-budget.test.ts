import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mostCallsWithin } from '../../src/bench/budget-scenarios.js';
import {
  providerAt,
  readReport,
  readSummary,
  runCli,
  startCli,
  validImeis,
  waitFor,
  useWorkspace,
  waitForFile,
} from './harness.js';

describe('the provider call budget', () => {
  const env = useWorkspace();

  it('fills calls across files: 200 files of 50 IMEIs in about 100 calls, each report exact', async () => {
    const sim = await env.simulator({ latencyMs: 20 });
    await env.ws.writeConfig({ ...providerAt(sim.url), submission: { concurrency: 10 } });
    const files = Array.from({ length: 200 }, (_, i) => ({ name: `part-${String(i).padStart(3, '0')}`, imeis: validImeis(50, 500 + i) }));
    await Promise.all(files.map((file) => writeFile(join(env.ws.inbox, `${file.name}.csv`), `IMEI\n${file.imeis.join('\n')}\n`)));

    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);
    const calls = sim.stats().placeorderCalls;
    console.log(`200 files of 50 IMEIs: ${calls} placeorder calls (100 needed)`);
    expect(calls).toBeLessThanOrEqual(105);
    expect(sim.orders()).toHaveLength(10_000);

    const held = new Map(sim.orders().map((order) => [order.imei, order.orderId]));
    for (const file of files.filter((_, i) => i % 20 === 0)) {
      const report = await readReport(join(env.ws.processed, `${file.name}.report.csv`));
      expect(report.map((row) => row['IMEI NO.'])).toEqual(file.imeis);
      expect(report.every((row) => row['ORDER ID'] === held.get(row['IMEI NO.'] ?? ''))).toBe(true);
      const summary = await readSummary(join(env.ws.processed, `${file.name}.summary.json`));
      expect(summary).toMatchObject({ rows: 50, accepted: 50, failed: 0, unconfirmed: 0 });
      expect(summary.apiCalls).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('keeps every kind of call within maxCallsPerMinute, and still gets every result into the report', async () => {
    const sim = await env.simulator({ latencyMs: 5, completeAfterMs: 1000 });
    await env.ws.writeConfig({
      ...providerAt(sim.url),
      submission: { concurrency: 10, maxCallsPerMinute: 1200 },
      results: { pollIntervalSeconds: 1 },
    });
    await writeFile(join(env.ws.inbox, 'paced.csv'), `IMEI\n${validImeis(1000, 700).join('\n')}\n`);
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      const summary = join(env.ws.processed, 'paced.summary.json');
      await waitForFile(summary, 60_000);
      await waitFor(async () => (await readSummary(summary)).final === true, 'every result', 60_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    const report = await readReport(join(env.ws.processed, 'paced.report.csv'));
    expect(report.filter((row) => row.STATUS !== 'Completed' && row.STATUS !== 'Rejected')).toEqual([]);
    // 1,200 a minute is one call per 50 ms, placing and reading together: never more than 21 in a second.
    const times = sim.callTimes();
    expect(sim.stats().getimeisCalls).toBeGreaterThan(0);
    expect(mostCallsWithin(times, 1000)).toBeLessThanOrEqual(21);
  }, 120_000);

  it('learns how many calls the provider takes at once and stays under it', async () => {
    const sim = await env.simulator({ latencyMs: 100, maxInFlight: 4 });
    await env.ws.writeConfig({ ...providerAt(sim.url), submission: { concurrency: 30, maxAttempts: 3 } });
    await writeFile(join(env.ws.inbox, 'limited.csv'), `IMEI\n${validImeis(5000, 800).join('\n')}\n`);
    const run = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(run.code, run.stderr).toBe(0);
    const stats = sim.stats();
    console.log(`provider takes 4, daemon set to 30: ${stats.placeorderCalls} calls for 50 batches, ${stats.rateLimited} refused`);
    expect(sim.orders()).toHaveLength(5000);
    // The first burst meets the limit; after it the daemon stays at 4.
    expect(stats.placeorderCalls).toBeLessThanOrEqual(50 + 30);
    // A restart starts at the limit it learnt: nothing refused at all.
    await writeFile(join(env.ws.inbox, 'again.csv'), `IMEI\n${validImeis(1000, 801).join('\n')}\n`);
    const before = sim.stats().rateLimited;
    expect((await runCli(['run-once', '--config', env.ws.configFile])).code).toBe(0);
    expect(sim.stats().rateLimited - before).toBe(0);
  }, 120_000);
});
