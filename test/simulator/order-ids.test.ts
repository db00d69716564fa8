/** Order ids: a chosen or clock-derived start, never reused by a restart, and gaps for other accounts. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  clockFirstOrderId,
  defaultFirstOrderId,
  FIRST_ORDER_ID,
  ORDER_IDS_PER_MS,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js';
import { OrderIdSequence } from '../../src/simulator/order-ids.js';
import { call, getStatuses, placeOrder, readPlacement, validImei } from './helpers.js';

const running: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ completeAfterMs: 60_000, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function placedIds(simulator: Simulator, imeis: readonly string[]): Promise<string[]> {
  return readPlacement((await placeOrder(simulator, '1739', imeis)).text).placed.map((item) => item.id);
}

describe('firstOrderId', () => {
  it('starts the sequence where asked', async () => {
    const simulator = await start({ firstOrderId: FIRST_ORDER_ID });
    expect(await placedIds(simulator, [validImei(1), validImei(2)])).toEqual(['15556534', '15556535']);
  });

  it('defaults to a 15-digit id derived from the clock, as a plain decimal string', async () => {
    const before = Date.now();
    const simulator = await start();
    const [id] = await placedIds(simulator, [validImei(1)]);
    expect(id).toMatch(/^[1-9]\d{14}$/);
    expect(Number(id)).toBeGreaterThanOrEqual(before * ORDER_IDS_PER_MS);
    expect(Number(id)).toBeLessThan(Number.MAX_SAFE_INTEGER / 10);
  });

  it('gives a restarted simulator ids above every id the earlier one handed out, even within the same millisecond', async () => {
    const first = await start();
    const firstIds = await placedIds(first, Array.from({ length: 300 }, (_, n) => validImei(n)));
    await first.close();
    const second = await start();
    const [next] = await placedIds(second, [validImei(0)]);
    expect(Number(next)).toBeGreaterThan(Math.max(...firstIds.map(Number)));
    expect(defaultFirstOrderId()).toBeGreaterThan(Number(next));
  });

  it('gives a start in a later process, which has only the clock to go on, 100 ids per millisecond of room', () => {
    const t = Date.parse('2026-03-01T10:00:00.000Z');
    expect(clockFirstOrderId(t)).toBe(177_235_920_000_000);
    expect(clockFirstOrderId(t + 1) - clockFirstOrderId(t)).toBe(ORDER_IDS_PER_MS);
    expect(clockFirstOrderId(t + 0.9)).toBe(clockFirstOrderId(t));
    // Still 15 digits (exact in Excel, far below 2^53) until the year 2286.
    expect(String(clockFirstOrderId(Date.parse('2286-01-01T00:00:00Z')))).toHaveLength(15);
    expect(String(clockFirstOrderId(Date.parse('2287-01-01T00:00:00Z')))).toHaveLength(16);
  });

  it('refuses a start that is not a whole number', async () => {
    await expect(startSimulator({ firstOrderId: -1 })).rejects.toThrow(/firstOrderId/);
    await expect(startSimulator({ firstOrderId: 1.5 })).rejects.toThrow(/firstOrderId/);
    await expect(startSimulator({ firstOrderId: 2 ** 53 })).rejects.toThrow(/firstOrderId/);
  });
});

describe('otherAccountOrders', () => {
  it('hands that many ids to other accounts after each order, within a call and across calls', async () => {
    const simulator = await start({ firstOrderId: 1000, otherAccountOrders: 2 });
    expect(await placedIds(simulator, [validImei(1), validImei(2), validImei(3)])).toEqual(['1000', '1003', '1006']);
    expect(await placedIds(simulator, [validImei(4)])).toEqual(['1009']);
    // Duplicates and malformed IMEIs take no id.
    expect(await placedIds(simulator, [validImei(1), '123', validImei(5)])).toEqual(['1012']);
    expect(simulator.orders().map((order) => order.orderId)).toEqual(['1000', '1003', '1006', '1009', '1012']);
    expect(simulator.stats().ordersPlaced).toBe(5);
  });

  it('answers nothing for other accounts ids, as for unknown ones', async () => {
    const simulator = await start({ firstOrderId: 1000, otherAccountOrders: 3 });
    await placedIds(simulator, [validImei(1), validImei(2)]);
    const items = await getStatuses(simulator, ['1000', '1001', '1002', '1003', '1004', '1005', '1006', '1007']);
    expect(items.map((item) => item.id)).toEqual(['1000', '1004']);
    const reply = await call(simulator, { action: 'getimeis', orderIds: '1001,1002,1003' });
    expect(reply.text).toMatch(/<result><\/result>$/);
  });

  it('combines with placesOnlyLastImei: one id per call, then the gap', async () => {
    const simulator = await start({ firstOrderId: 50, otherAccountOrders: 1, placesOnlyLastImei: true });
    expect(await placedIds(simulator, [validImei(1), validImei(2)])).toEqual(['50']);
    expect(await placedIds(simulator, [validImei(3), validImei(4)])).toEqual(['52']);
  });

  it('defaults to 0 and refuses anything but a whole number', async () => {
    const simulator = await start({ firstOrderId: 7 });
    expect(await placedIds(simulator, [validImei(1), validImei(2)])).toEqual(['7', '8']);
    expect(() => new OrderIdSequence({ firstOrderId: 1, otherAccountOrders: 0.5 })).toThrow(/otherAccountOrders/);
    expect(() => new OrderIdSequence({ firstOrderId: 1, otherAccountOrders: -1 })).toThrow(/otherAccountOrders/);
  });
});

describe('checking that nothing was ordered twice', () => {
  it('counts, per held order, the later IMEIs refused as its duplicates', async () => {
    const simulator = await start();
    const [a, b] = [validImei(1), validImei(2)];
    await placedIds(simulator, [a, b, a]);
    await placeOrder(simulator, '1739', [a]); // the whole-reply "IMEI already exists!"
    await placedIds(simulator, [b, a]);
    expect(simulator.orders().map((order) => [order.imei, order.duplicateRefusals])).toEqual([
      [a, 3],
      [b, 1],
    ]);
    expect(simulator.stats()).toMatchObject({ imeisReceived: 6, ordersPlaced: 2, duplicatesRefused: 4 });
  });
});
