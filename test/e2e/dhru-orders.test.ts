import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DhruSimulatorOptions, Simulator } from '../../src/simulator/index.js';
import { dhruProviderAt, ordersPerImei, rowsWithoutTheirOrder, runUntilFinal, startDhruSimulator } from './dhru-harness.js';
import { makeWorkspace, validImeis, type Workspace } from './harness.js';

describe('DHRU Fusion, end to end', () => {
  let ws: Workspace;
  let sim: Simulator | undefined;

  beforeEach(async () => {
    ws = await makeWorkspace();
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    await ws.cleanup();
  });

  it('orders 1,000 IMEIs on a clean bulk server in at most 11 calls, each once with its own result; invalid rows never sent', async () => {
    sim = await startDhruSimulator({ latencyMs: 10 });
    await ws.writeConfig({ ...dhruProviderAt(sim.url, 5000), results: { pollIntervalSeconds: 1 } });
    const imeis = validImeis(1000, 60);
    const invalid = ['35397910667356', '353979106673568', 'not-an-imei'];
    await writeFile(join(ws.inbox, 'big.csv'), `IMEI\n${[...imeis.slice(0, 500), ...invalid, ...imeis.slice(500)].join('\n')}\n`);

    const report = await runUntilFinal(ws, 'big');
    const stats = sim.stats();
    expect(stats.callsByAction['placeimeiorderbulk'] ?? 0).toBeLessThanOrEqual(11);
    expect(stats.callsByAction['placeimeiorder'] ?? 0).toBe(0);
    expect(stats.malformedRefused).toBe(0);
    const held = ordersPerImei(sim);
    expect(held.size).toBe(1000);
    expect([...held.values()].every((n) => n === 1)).toBe(true);
    expect(rowsWithoutTheirOrder(report, sim)).toEqual([]);
    const byImei = new Map(report.map((row) => [row['IMEI NO.'], row]));
    for (const imei of imeis) {
      const row = byImei.get(imei);
      expect(row?.STATUS, row?.NOTE).toBe('Completed');
      expect(row?.CODE).toContain(`IMEI Number: ${imei}`);
      expect(row?.MODEL).not.toBe('');
      expect(row?.['ORDER DATE']).not.toBe('');
    }
    expect(report.filter((row) => row.STATUS === 'Invalid')).toHaveLength(3);
  }, 60_000);

  const variations: [string, DhruSimulatorOptions, Record<string, unknown>][] = [
    ['no bulk actions (Invalid Action)', { bulk: 'invalid-action' }, {}],
    ['no bulk actions (an empty body)', { bulk: 'empty' }, {}],
    ['wrapped bulk replies', { bulk: 'wrapped' }, {}],
    ['numbers as strings, 2 for in process', { stringNumbers: true, processingStatus: 2 }, {}],
    ['CODE fields split by <br>', { codeFormat: 'br' }, {}],
    ['JSON-only single calls', { singleEncoding: 'json', bulk: 'invalid-action' }, { singleEncoding: 'json' }],
    ['errors answered with HTTP 4xx', { httpErrors: true, errorShape: 'string' }, {}],
  ];

  it.each(variations)('%s: 50 IMEIs, each ordered exactly once, every status right', async (_name, server, dhru) => {
    sim = await startDhruSimulator({ latencyMs: 5, completeAfterMs: 600, dhru: server });
    await ws.writeConfig({ ...dhruProviderAt(sim.url, 3000, dhru), results: { pollIntervalSeconds: 0.2 } });
    const imeis = validImeis(50, 61);
    await writeFile(join(ws.inbox, 'v.csv'), `IMEI\n${imeis.join('\n')}\n`);

    const report = await runUntilFinal(ws, 'v');
    const held = ordersPerImei(sim);
    expect(held.size).toBe(50);
    expect([...held.values()].every((n) => n === 1)).toBe(true);
    expect(rowsWithoutTheirOrder(report, sim)).toEqual([]);
    for (const row of report) {
      expect(row.STATUS, row.NOTE).toBe('Completed');
      expect(row.CODE).toContain(`IMEI Number: ${row['IMEI NO.']}`);
      expect(row.CARRIER).not.toBe('');
    }
  }, 30_000);
});
