/**
 * What the DHRU end-to-end tests share: the simulator in DHRU mode on port 0, the daemon pointed
 * at it, and a run of `start` until a file's summary says every row is final.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import {
  TEST_API_KEY,
  TEST_USER,
  providerAt,
  readReport,
  readSummary,
  startCli,
  waitFor,
  waitForFile,
  type ReportRecord,
  type Workspace,
} from './harness.js';

/** A DHRU simulator that knows the test credentials; results final after `completeAfterMs`. */
export function startDhruSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, completeAfterMs: 200, ...options, protocol: 'dhru' });
}

/** Configuration pointing the daemon at a DHRU simulator, with these `provider.dhru` keys. */
export function dhruProviderAt(url: string, timeoutMs: number, dhru: Record<string, unknown> = {}): Record<string, unknown> {
  const base = providerAt(url, timeoutMs) as { provider: Record<string, unknown> };
  return { provider: { ...base.provider, protocol: 'dhru', dhru } };
}

/** Runs `start` until `NAME.summary.json` says every row is final, then stops it; returns the report. */
export async function runUntilFinal(ws: Workspace, name: string, timeoutMs = 60_000): Promise<ReportRecord[]> {
  const daemon = startCli(['start', '--config', ws.configFile]);
  try {
    const summaryPath = join(ws.processed, `${name}.summary.json`);
    await waitForFile(summaryPath, timeoutMs);
    await waitFor(async () => (await readSummary(summaryPath)).final === true, `${name} final`, timeoutMs);
  } finally {
    daemon.process.kill('SIGTERM');
  }
  const exit = await daemon.exited;
  expect(exit.code, exit.stderr).toBe(0);
  return readReport(join(ws.processed, `${name}.report.csv`));
}

/** Each IMEI the simulator holds an order for, with how many orders it holds. */
export function ordersPerImei(sim: Simulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const order of sim.orders()) counts.set(order.imei, (counts.get(order.imei) ?? 0) + 1);
  return counts;
}

/** Rows whose ORDER ID is not the order the simulator holds for their IMEI (at most three shown). */
export function rowsWithoutTheirOrder(report: readonly ReportRecord[], sim: Simulator): string[] {
  const held = new Map(sim.orders().map((order) => [order.imei, order.orderId]));
  return report
    .filter((row) => row['ORDER ID'] !== '' && row['ORDER ID'] !== held.get(row['IMEI NO.'] ?? ''))
    .slice(0, 3)
    .map((row) => `${row['IMEI NO.']} ${row.STATUS} ${row['ORDER ID']}: ${row.NOTE}`);
}
