import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Simulator, SimulatorOptions } from '../../src/simulator/index.js';
import { expectEveryRowWithItsOwnOrder, providerAt, runUntilFinal, useWorkspace, validImeis } from './harness.js';

const FAULT_MIX = { dropAfterOrder: 0.05, hang: 0.03, http500: 0.05, rateLimit: 0.05, truncated: 0.03 };

describe('every paid order back with its own result', () => {
  const env = useWorkspace();

  async function simulator(options: SimulatorOptions): Promise<Simulator> {
    return env.simulator({ completeAfterMs: 300, ...options });
  }

  it('through the fault mix with no crash: every row has its order id, every Completed row its result', async () => {
    const provider = await simulator({ latencyMs: 40, seed: 20261205, faults: FAULT_MIX });
    await env.ws.writeConfig({
      ...providerAt(provider.url, 600),
      submission: { concurrency: 10, maxAttempts: 12, retryBaseMs: 10 },
      results: { pollIntervalSeconds: 1 },
    });
    const imeis = validImeis(4000, 31);
    await writeFile(join(env.ws.inbox, 'mix.csv'), `IMEI\n${imeis.join('\n')}\n`);

    const report = await runUntilFinal(env.ws, 'mix', 180_000);
    expect(report.map((row) => row['IMEI NO.'])).toEqual(imeis);
    expect(provider.orders()).toHaveLength(4000);
    expectEveryRowWithItsOwnOrder(report, provider);
    const faults = provider.stats().faultsInjected;
    console.log(`recovery under faults: ${JSON.stringify(faults)}, ${provider.stats().placeorderCalls} placeorder, ${provider.stats().getimeisCalls} getimeis`);
    // The run met lost replies, so the ids came from the search, not from luck.
    expect(faults.dropAfterOrder + faults.hang + faults.truncated).toBeGreaterThan(0);
  }, 240_000);

  it('finds lost orders among other accounts\' ids, which interleave in the sequence', async () => {
    const provider = await simulator({
      latencyMs: 20,
      seed: 7,
      otherAccountOrders: 2,
      faults: { dropAfterOrder: 0.1, truncated: 0.05 },
    });
    await env.ws.writeConfig({
      ...providerAt(provider.url, 2000),
      submission: { concurrency: 5, maxAttempts: 12, retryBaseMs: 10 },
      results: { pollIntervalSeconds: 1 },
    });
    const imeis = validImeis(1000, 32);
    await writeFile(join(env.ws.inbox, 'shared.csv'), `IMEI\n${imeis.join('\n')}\n`);
    const report = await runUntilFinal(env.ws, 'shared', 120_000);
    expect(provider.orders()).toHaveLength(1000);
    expectEveryRowWithItsOwnOrder(report, provider);
  }, 180_000);

  it('orders every IMEI once from a server that orders only the last IMEI of a list, then sends one per call', async () => {
    const provider = await simulator({ latencyMs: 20, placesOnlyLastImei: true });
    await env.ws.writeConfig({
      ...providerAt(provider.url, 3000),
      submission: { concurrency: 10, maxAttempts: 3, retryBaseMs: 10 },
      results: { pollIntervalSeconds: 1 },
    });
    const imeis = validImeis(500, 33);
    await writeFile(join(env.ws.inbox, 'last.csv'), `IMEI\n${imeis.join('\n')}\n`);
    const started = Date.now();
    const report = await runUntilFinal(env.ws, 'last', 120_000);
    const stats = provider.stats();
    console.log(`server ordering only the last IMEI: 500 IMEIs in ${Date.now() - started} ms, ${stats.placeorderCalls} placeorder calls`);

    expect(provider.orders()).toHaveLength(500);
    expect(stats.duplicatesRefused).toBe(0);
    expectEveryRowWithItsOwnOrder(report, provider);
    expect(new Set(report.map((row) => row.STATUS))).toEqual(new Set(['Completed']));
    // Five lists of 100 (one order each), then one call per remaining IMEI: nothing wasted.
    expect(stats.placeorderCalls).toBe(5 + 495);

    // Remembered per service, and said once in an alert.
    const db = new Database(join(env.ws.checkpoints, 'imei-daemon.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT service_id, imeis_per_call FROM service_modes').all()).toEqual([{ service_id: '1739', imeis_per_call: 1 }]);
      expect(db.prepare(`SELECT COUNT(*) FROM alerts WHERE kind = 'one-imei-per-call'`).pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  }, 180_000);

  it('keeps the built-in simulator\'s orders apart across its restarts and from a real provider', async () => {
    await env.ws.writeConfig({ simulator: { latencyMs: 5 }, results: { pollIntervalSeconds: 1 } });
    const simulated: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const imeis = validImeis(20, 40 + round);
      simulated.push(...imeis);
      await writeFile(join(env.ws.inbox, `sim${round}.csv`), `IMEI\n${imeis.join('\n')}\n`);
      const report = await runUntilFinal(env.ws, `sim${round}`);
      // Each start of the built-in simulator is a new order book: its ids never repeat an earlier start's.
      for (const row of report) {
        expect(row.STATUS, row.NOTE).toBe('Completed');
        expect(row.CODE).toContain(`IMEI Number: ${row['IMEI NO.']}`);
      }
    }
    const db = new Database(join(env.ws.checkpoints, 'imei-daemon.sqlite'), { readonly: true });
    const ids = db.prepare('SELECT order_id FROM orders').pluck().all() as string[];
    db.close();
    expect(new Set(ids).size).toBe(60);

    // The same IMEIs for a real provider: ordered there, never answered from simulated history.
    const provider = await simulator({ latencyMs: 5 });
    await env.ws.writeConfig({ ...providerAt(provider.url), results: { pollIntervalSeconds: 1 } });
    await writeFile(join(env.ws.inbox, 'real.csv'), `IMEI\n${simulated.join('\n')}\n`);
    const report = await runUntilFinal(env.ws, 'real');
    expect(report.filter((row) => row.STATUS === 'Duplicate')).toEqual([]);
    expect(provider.orders().map((order) => order.imei).sort()).toEqual([...simulated].sort());
    expectEveryRowWithItsOwnOrder(report, provider);
  }, 180_000);
});
