import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  providerAt,
  readReport,
  runCli,
  startCli,
  useSimulatedWorkspace,
  validImeis,
  waitFor,
  waitForFile,
} from './harness.js';

/** The distinct statuses of a report, with the provider's order states folded into 'Ordered'. */
async function statuses(path: string): Promise<string[]> {
  const ordered = new Set(['Pending', 'In Process', 'Completed']);
  return [...new Set((await readReport(path)).map((r) => (ordered.has(r.STATUS as string) ? 'Ordered' : (r.STATUS as string))))];
}

describe('retry of Failed rows', () => {
  const env = useSimulatedWorkspace({ latencyMs: 5 });

  it('orders every failed row exactly once when the schedule runs after the provider is back', async () => {
    await env.sim.setDown(true);
    await env.ws.writeConfig({
      ...providerAt(env.sim.url, 2000),
      submission: { maxAttempts: 2, retryBaseMs: 10 },
      retry: { schedule: '*/2 * * * * *' },
    });
    const imeis = validImeis(150, 11);
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(env.ws.inbox, 'down.csv'), `imei\n${imeis.join('\n')}\n`);
      const report = join(env.ws.processed, 'down.report.csv');
      await waitForFile(report);
      // The schedule runs every 2 s and resends the rows while the provider is still down: a
      // report rewritten in between shows them Queued, so wait for one showing them Failed.
      await waitFor(async () => (await statuses(report)).join() === 'Failed', 'report of failed rows');
      const failed = await readReport(report);
      expect(failed[0]?.NOTE).toMatch(/scheduled retry will try again/);

      await env.sim.setDown(false);
      await waitFor(async () => (await statuses(report)).join() === 'Ordered', 'report turned to ordered', 30_000);
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    const ordered = env.sim.orders().map((o) => o.imei);
    expect(ordered.sort()).toEqual([...imeis].sort());
  });

  it('`retry` with no daemon running sends the failed rows now and rewrites the report', async () => {
    await env.sim.setDown(true);
    await env.ws.writeConfig({ ...providerAt(env.sim.url, 2000), submission: { maxAttempts: 1, retryBaseMs: 10 } });
    const imeis = validImeis(120, 12);
    await writeFile(join(env.ws.inbox, 'later.csv'), `imei\n${imeis.join('\n')}\n`);
    const first = await runCli(['run-once', '--config', env.ws.configFile]);
    expect(first.code, first.stderr).toBe(0);
    const report = join(env.ws.processed, 'later.report.csv');
    expect(await statuses(report)).toEqual(['Failed']);

    await env.sim.setDown(false);
    const retry = await runCli(['retry', '--config', env.ws.configFile]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('retry: 120 rows sent again');
    expect(await statuses(report)).toEqual(['Ordered']);
    expect(env.sim.orders()).toHaveLength(120);
    // A second retry finds nothing to send.
    const again = await runCli(['retry', '--config', env.ws.configFile]);
    expect(again.stdout).toContain('retry: 0 rows sent again');
    expect(env.sim.stats().placeorderCalls).toBe(2);
  });

  it('`retry` while the daemon runs asks it to retry now', async () => {
    await env.sim.setDown(true);
    await env.ws.writeConfig({ ...providerAt(env.sim.url, 2000), submission: { maxAttempts: 1, retryBaseMs: 10 } });
    const daemon = startCli(['start', '--config', env.ws.configFile]);
    try {
      await waitFor(() => daemon.output().includes('watching the inbox'), 'daemon up');
      await writeFile(join(env.ws.inbox, 'busy.csv'), `imei\n${validImeis(30, 13).join('\n')}\n`);
      const report = join(env.ws.processed, 'busy.report.csv');
      await waitForFile(report);
      expect(await statuses(report)).toEqual(['Failed']);
      await env.sim.setDown(false);
      const retry = await runCli(['retry', '--config', env.ws.configFile]);
      expect(retry.code, retry.stderr).toBe(0);
      expect(retry.stdout).toMatch(/asked the running daemon/);
      await waitFor(async () => (await statuses(report)).join() === 'Ordered', 'report turned to ordered');
    } finally {
      daemon.process.kill('SIGTERM');
    }
    expect((await daemon.exited).code).toBe(0);
    expect(env.sim.orders()).toHaveLength(30);
  });
});
