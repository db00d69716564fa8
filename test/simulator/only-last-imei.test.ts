/** `placesOnlyLastImei`: the recorded live behaviour of the default provider with several IMEIs. */
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_ORDER_ID, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { call, placeOrder, readError, readPlacement, validImei } from './helpers.js';

const running: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ completeAfterMs: 60_000, placesOnlyLastImei: true, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

describe('placesOnlyLastImei', () => {
  it('orders only the last IMEI of a call and names only it in the reply', async () => {
    const simulator = await start({ firstOrderId: FIRST_ORDER_ID });
    const [a, b, c] = [validImei(1), validImei(2), validImei(3)];
    const reply = await placeOrder(simulator, '1739', [a, b, c]);
    expect(readPlacement(reply.text)).toEqual({
      placed: [{ id: String(FIRST_ORDER_ID), imei: c, status: 'Pending' }],
      duplicates: [],
      errors: [],
    });
    // Nothing at all about the others: not as an order, a duplicate or an error.
    expect(reply.text).not.toContain(a);
    expect(reply.text).not.toContain(b);
    expect(simulator.orders().map((order) => order.imei)).toEqual([c]);
    expect(simulator.stats()).toMatchObject({
      placeorderCalls: 1,
      imeisReceived: 3,
      ordersPlaced: 1,
      duplicatesRefused: 0,
      malformedRefused: 0,
      imeisIgnored: 2,
    });
  });

  it('leaves the ignored IMEIs orderable later: they were never ordered', async () => {
    const simulator = await start();
    const [a, b] = [validImei(10), validImei(11)];
    readPlacement((await placeOrder(simulator, '1739', [a, b])).text);
    const again = readPlacement((await placeOrder(simulator, '1739', [b, a])).text);
    expect(again.placed.map((item) => item.imei)).toEqual([a]);
    expect(again.duplicates).toEqual([]);
    expect(simulator.orders().map((order) => order.imei)).toEqual([b, a]);
  });

  it('lists a last IMEI already held in imeiduplicates, still saying nothing of the others', async () => {
    const simulator = await start();
    const [a, b] = [validImei(20), validImei(21)];
    readPlacement((await placeOrder(simulator, '1739', [b])).text);
    const reply = await placeOrder(simulator, '1739', [a, b]);
    expect(readPlacement(reply.text)).toEqual({ placed: [], duplicates: [b], errors: [] });
    expect(reply.text).not.toContain(a);
    expect(simulator.orders()).toHaveLength(1);
    expect(simulator.orders()[0]!.duplicateRefusals).toBe(1);
    expect(simulator.stats()).toMatchObject({ imeisReceived: 3, ordersPlaced: 1, duplicatesRefused: 1, imeisIgnored: 1 });
  });

  it('a last IMEI repeated earlier in the same call is not a duplicate: the earlier copy was ignored', async () => {
    const simulator = await start();
    const a = validImei(25);
    const reply = readPlacement((await placeOrder(simulator, '1739', [a, a])).text);
    expect(reply.placed.map((item) => item.imei)).toEqual([a]);
    expect(reply.duplicates).toEqual([]);
  });

  it('lists a malformed last IMEI in imeierrors and orders nothing', async () => {
    const simulator = await start();
    const reply = await placeOrder(simulator, '1739', [validImei(30), '12345']);
    expect(readPlacement(reply.text)).toEqual({ placed: [], duplicates: [], errors: ['12345'] });
    expect(reply.text).not.toContain(validImei(30));
    expect(simulator.orders()).toEqual([]);
    expect(simulator.stats()).toMatchObject({ imeisReceived: 2, ordersPlaced: 0, malformedRefused: 1, imeisIgnored: 1 });
  });

  it('takes the last non-empty entry: trailing commas and spaces do not count', async () => {
    const simulator = await start();
    const [a, b] = [validImei(40), validImei(41)];
    const reply = await call(simulator, { action: 'placeorder', networkId: '1739', imei: `${a}, ${b} ,,` });
    expect(readPlacement(reply.text).placed.map((item) => item.imei)).toEqual([b]);
    expect(simulator.stats().imeisIgnored).toBe(1);
  });

  it('leaves a one-IMEI call as it was: an order, then the whole-reply error for a repeat', async () => {
    const simulator = await start();
    const a = validImei(50);
    expect(readPlacement((await placeOrder(simulator, '1739', [a])).text).placed.map((item) => item.imei)).toEqual([a]);
    const repeat = await placeOrder(simulator, '1739', [a]);
    expect(readError(repeat.text)).toBe('IMEI already exists!');
    expect(simulator.stats()).toMatchObject({ imeisReceived: 2, ordersPlaced: 1, duplicatesRefused: 1, imeisIgnored: 0 });
  });

  it('is off by default: every IMEI of a call is ordered', async () => {
    const simulator = await start({ placesOnlyLastImei: undefined });
    const imeis = [validImei(60), validImei(61)];
    const reply = readPlacement((await placeOrder(simulator, '1739', imeis)).text);
    expect(reply.placed.map((item) => item.imei)).toEqual(imeis);
    expect(simulator.stats()).toMatchObject({ imeisReceived: 2, ordersPlaced: 2, imeisIgnored: 0 });
  });
});
