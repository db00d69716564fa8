import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { OrderBook } from '../../src/simulator/orders.js';
import { badCheckDigitImei, call, getStatuses, placeOrder, readPlacement, validImei } from './helpers.js';

const running: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator(options);
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function placedIds(simulator: Simulator, serviceId: string, imeis: readonly string[]): Promise<string[]> {
  return readPlacement((await placeOrder(simulator, serviceId, imeis)).text).placed.map((item) => item.id);
}

const ORDER_OF_STATUSES = ['Pending', 'In Process', 'Completed'];

describe('getimeis', () => {
  it('reports known orders with package, empty code and requestedat while pending; unknown ids are absent', async () => {
    const simulator = await start({ completeAfterMs: 60_000 });
    const imei = validImei(1);
    const [id] = await placedIds(simulator, '1739', [imei]);
    const items = await getStatuses(simulator, ['1', id!, '99999999', id!]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id, imei, status: 'Pending', code: '' });
    expect(items[0]!.package).toMatch(/iPhone Full Info Check/);
    expect(items[0]!.requestedat).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(items[0]!.requestedat).toBe(simulator.orders()[0]!.requestedAt);
    expect(simulator.stats().getimeisCalls).toBe(1);
  });

  it('answers a call with no known id with an empty <result>', async () => {
    const simulator = await start();
    const reply = await call(simulator, { action: 'getimeis', orderIds: '123,456' });
    expect(reply.text).toMatch(/<result><\/result>$/);
  });

  it('moves orders forward to Completed with a result code, and a bad check digit to Rejected/Invalid_IMEI', async () => {
    const simulator = await start({ completeAfterMs: 50 });
    const good = validImei(2);
    const bad = badCheckDigitImei(3);
    const [goodId, badId] = await placedIds(simulator, '1739', [good, bad]);
    const seen: string[] = [];
    for (;;) {
      const items = await getStatuses(simulator, [goodId!, badId!]);
      const goodItem = items.find((item) => item.id === goodId)!;
      seen.push(goodItem.status);
      if (goodItem.status === 'Completed') {
        expect(goodItem.code).toContain(`IMEI Number: ${good}`);
        const badItem = items.find((item) => item.id === badId)!;
        expect(badItem).toMatchObject({ status: 'Rejected', code: 'Invalid_IMEI' });
        break;
      }
      expect(goodItem.code).toBe('');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ranks = seen.map((status) => ORDER_OF_STATUSES.indexOf(status));
    expect(ranks.every((rank) => rank >= 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(simulator.orders().map((order) => order.status)).toEqual(['Completed', 'Rejected']);
  });

  it('sends statuses as the manual numbers when asked', async () => {
    const pending = await start({ numericStatuses: true, completeAfterMs: 60_000 });
    const [pendingId] = await placedIds(pending, '1739', [validImei(4)]);
    expect((await getStatuses(pending, [pendingId!]))[0]!.status).toBe('1');

    const finished = await start({ numericStatuses: true, completeAfterMs: 0 });
    const [okId, rejectedId] = await placedIds(finished, '269', [validImei(5), badCheckDigitImei(6)]);
    const statuses = await getStatuses(finished, [okId!, rejectedId!]);
    expect(statuses.map((item) => item.status)).toEqual(['2', '3']);
    expect(statuses[0]!.code).toMatch(/^Model: SM-/);
  });
});

describe('OrderBook status clock', () => {
  it('is Pending for the first half, In Process for the second, then final, and keeps the final code', () => {
    let now = 1_700_000_000_000;
    const book = new OrderBook(1000, () => now);
    const placed = book.place('1001', [validImei(7)]).placed;
    const id = placed[0]!.orderId;
    expect(book.lookUp([id])[0]).toMatchObject({ status: 'Pending', code: '' });
    now += 499;
    expect(book.lookUp([id])[0]!.status).toBe('Pending');
    now += 1;
    expect(book.lookUp([id])[0]!.status).toBe('In Process');
    now += 500;
    const done = book.lookUp([id])[0]!;
    expect(done.status).toBe('Completed');
    expect(done.code).not.toBe('');
    expect(done.requestedAt).toBe('2023-11-14 22:13:20');
    now += 10_000;
    expect(book.lookUp([id])[0]!.code).toBe(done.code);
  });
});
