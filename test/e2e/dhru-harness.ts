/**
 * What the DHRU end-to-end tests share: the simulator in DHRU mode on port 0, the daemon pointed
 * at it, and a run of `start` until a file's summary says every row is final.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { TEST_API_KEY, TEST_USER, providerAt, type ReportRecord } from './harness.js';

/** A DHRU simulator that knows the test credentials; results final after `completeAfterMs`. */
export function startDhruSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ username: TEST_USER, apiKey: TEST_API_KEY, completeAfterMs: 200, ...options, protocol: 'dhru' });
}

/** Configuration pointing the daemon at a DHRU simulator, with these `provider.dhru` keys. */
export function dhruProviderAt(url: string, timeoutMs: number, dhru: Record<string, unknown> = {}): Record<string, unknown> {
  const base = providerAt(url, timeoutMs) as { provider: Record<string, unknown> };
  return { provider: { ...base.provider, protocol: 'dhru', dhru } };
}

/** The shared run of `start` until a file's summary says every row is final. */
export { runUntilFinal } from './harness.js';

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
