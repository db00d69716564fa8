/**
 * The simulator's faults against the DHRU client: each comes back as the failure class the
 * engine acts on, what a cut-off bulk reply did carry is kept, and a lost call's orders can be
 * found again by reading, one id at a time, the ids issued since the highest one known before
 * it (the primitive the engine's exact resolution for `refusesRepeats: false` stands on).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderSafeError, ProviderUnknownOutcomeError } from '../../src/errors.js';
import { DhruClient, type OrderResult } from '../../src/provider/index.js';
import { type SimulatorOptions, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { validImei } from '../simulator/helpers.js';

const USER = 'shop-reseller';
const KEY = 'K9Q-2ZX-7T4-MNB-8VW-E3H-JRA-5PL';
const IMEIS = Array.from({ length: 20 }, (_, n) => validImei(n + 500));

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

async function setUp(options: SimulatorOptions, timeoutMs = 2000): Promise<{ simulator: Simulator; client: DhruClient }> {
  const simulator = await startSimulator({ protocol: 'dhru', username: USER, apiKey: KEY, completeAfterMs: 60_000, ...options });
  const client = new DhruClient({ baseUrl: simulator.url, username: USER, apiKey: KEY, timeoutMs, dhru: { knownBulk: true } });
  opened.push(client, simulator);
  return { simulator, client };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

describe('faults', () => {
  it.each([
    ['dropAfterOrder', ProviderUnknownOutcomeError, IMEIS.length],
    ['http500', ProviderUnknownOutcomeError, 0],
    ['http503', ProviderSafeError, 0],
    ['rateLimit', ProviderSafeError, 0],
  ] as const)('%s: %s', async (fault, errorClass, ordered) => {
    const { simulator, client } = await setUp({ faults: { [fault]: 1 } });
    expect(await failure(client.placeOrder('1739', IMEIS))).toBeInstanceOf(errorClass);
    expect(simulator.stats().ordersPlaced).toBe(ordered);
  });

  it('hang: the call times out after sending, its outcome unknown', async () => {
    const { simulator, client } = await setUp({ faults: { hang: 1 } }, 300);
    const error = await failure(client.placeOrder('1739', IMEIS));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('timed out after 300 ms');
    expect(simulator.stats().ordersPlaced).toBe(IMEIS.length);
  });

  it('truncated: the rows the reply carried whole are kept, with the ids the simulator gave them', async () => {
    const { simulator, client } = await setUp({ faults: { truncated: 1 } });
    const error = (await failure(client.placeOrder('1739', IMEIS))) as ProviderUnknownOutcomeError;
    const salvaged = error.details.salvaged ?? [];
    expect(salvaged.length).toBeGreaterThan(5);
    expect(salvaged.length).toBeLessThan(IMEIS.length);
    const book = new Map(simulator.orders().map((order) => [order.orderId, order.imei]));
    for (const order of salvaged) expect(book.get(order.orderId)).toBe(order.imei);
    expect(error.details.partial?.settled.placed).toEqual(salvaged);
  });
});

describe('finding a lost call orders by their ids', () => {
  it('reads each id above the last known one: ours name their IMEI, other accounts\' are absent', async () => {
    const { simulator, client } = await setUp({ otherAccountOrders: 2 });
    const before = await client.placeOrder('1739', IMEIS.slice(0, 2));
    const floor = Number(before.placed.at(-1)?.orderId);

    simulator.setFaults({ dropAfterOrder: 1 });
    expect(await failure(client.placeOrder('1739', IMEIS.slice(2, 6)))).toBeInstanceOf(ProviderUnknownOutcomeError);
    simulator.setFaults({});
    const after = await client.placeOrder('1739', IMEIS.slice(6, 7));
    const ceiling = Number(after.placed[0]?.orderId);

    const between = Array.from({ length: ceiling - floor - 1 }, (_, n) => String(floor + 1 + n));
    const found: OrderResult[] = [];
    for (let start = 0; start < between.length; start += 25) found.push(...(await client.lookUpOrders(between.slice(start, start + 25))));
    expect(found.map((order) => order.imei)).toEqual(IMEIS.slice(2, 6));
    expect(found.map((order) => order.status)).toEqual(['Pending', 'Pending', 'Pending', 'Pending']);
    // Two other accounts' ids after each of ours: read, answered No IMEI Found, left out.
    expect(between).toHaveLength(4 * 3 + 2);
  });
});
