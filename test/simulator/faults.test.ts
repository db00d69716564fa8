import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { call, isWellFormed, placeOrder, readPlacement, validImei } from './helpers.js';

const running: Simulator[] = [];

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ completeAfterMs: 60_000, ...options });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

const BATCH = [validImei(1), validImei(2), validImei(3)];

describe('faults before the order logic take no order', () => {
  it.each([
    ['http500', 500],
    ['http503', 503],
  ] as const)('%s answers an HTML page with HTTP %i', async (kind, status) => {
    const simulator = await start({ faults: { [kind]: 1 } });
    const reply = await placeOrder(simulator, '1739', BATCH);
    expect(reply.status).toBe(status);
    expect(reply.headers.get('content-type')).toMatch(/text\/html/);
    expect(reply.text).toMatch(/^<!DOCTYPE html>/);
    expect(simulator.orders()).toEqual([]);
    expect(simulator.stats().faultsInjected[kind]).toBe(1);
    expect(simulator.stats().imeisReceived).toBe(0);
  });

  it('rateLimit answers 429 with Retry-After: 1', async () => {
    const simulator = await start({ faults: { rateLimit: 1 } });
    const reply = await placeOrder(simulator, '1739', BATCH);
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(simulator.orders()).toEqual([]);
    expect(simulator.stats()).toMatchObject({ rateLimited: 1, faultsInjected: { rateLimit: 1 } });
  });
});

describe('faults after the order logic keep the orders', () => {
  it('dropAfterOrder closes the connection without a reply', async () => {
    const simulator = await start({ faults: { dropAfterOrder: 1 } });
    await expect(placeOrder(simulator, '1739', BATCH)).rejects.toThrow();
    expect(simulator.orders().map((order) => order.imei)).toEqual(BATCH);
    expect(simulator.stats().faultsInjected.dropAfterOrder).toBe(1);
  });

  it('hang never answers; the client gives up, the orders stand, and the request leaves the in-flight count', async () => {
    const simulator = await start({ faults: { hang: 1 } });
    const attempt = call(simulator, { action: 'placeorder', networkId: '1739', imei: BATCH.join(',') }, { signal: AbortSignal.timeout(300) });
    await expect(attempt).rejects.toThrow();
    expect(simulator.orders().map((order) => order.imei)).toEqual(BATCH);
    await expect.poll(() => simulator.stats().inFlight).toBe(0);
  });

  it('hang keeps the socket open until close(), which cuts it', async () => {
    const simulator = await start({ faults: { hang: 1 } });
    const attempt = placeOrder(simulator, '1739', BATCH);
    await expect.poll(() => simulator.orders().length).toBe(3);
    expect(simulator.stats().inFlight).toBe(1);
    await simulator.close();
    await expect(attempt).rejects.toThrow();
  });

  it('truncated answers 200 with the XML cut half way', async () => {
    const simulator = await start({ faults: { truncated: 1 } });
    const reply = await placeOrder(simulator, '1739', BATCH);
    expect(reply.status).toBe(200);
    expect(reply.text.startsWith('<?phpxml')).toBe(true);
    expect(isWellFormed(reply.text)).toBe(false);
    expect(simulator.orders().map((order) => order.imei)).toEqual(BATCH);
    expect(simulator.stats().faultsInjected.truncated).toBe(1);
  });
});

describe('fault selection', () => {
  it('applies only to the configured actions', async () => {
    const simulator = await start({ faults: { http500: 1 } });
    expect((await call(simulator, { action: 'imeiservices' })).status).toBe(200);
    expect((await call(simulator, { action: 'getimeis', orderIds: '1' })).status).toBe(200);
    expect((await placeOrder(simulator, '1739', BATCH)).status).toBe(500);

    const statusOnly = await start({ faults: { http503: 1 }, faultActions: ['getimeis'] });
    expect((await placeOrder(statusOnly, '1739', BATCH)).status).toBe(200);
    expect((await call(statusOnly, { action: 'getimeis', orderIds: '1' })).status).toBe(503);
  });

  it('is reproducible from the seed', async () => {
    const faults = { http500: 0.25, rateLimit: 0.25 };
    const outcomes = async (simulator: Simulator): Promise<number[]> => {
      const statuses: number[] = [];
      for (let n = 0; n < 20; n++) statuses.push((await placeOrder(simulator, '1739', [validImei(100 + n)])).status);
      return statuses;
    };
    const first = await outcomes(await start({ faults, seed: 7 }));
    const second = await outcomes(await start({ faults, seed: 7 }));
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
  });

  it('can be changed at run time and refuses probabilities outside 0..1', async () => {
    const simulator = await start();
    expect((await placeOrder(simulator, '1739', [validImei(200)])).status).toBe(200);
    simulator.setFaults({ http503: 1 });
    expect((await placeOrder(simulator, '1739', [validImei(201)])).status).toBe(503);
    simulator.setFaults({});
    expect((await placeOrder(simulator, '1739', [validImei(202)])).status).toBe(200);
    expect(() => simulator.setFaults({ hang: 1.5 })).toThrow(RangeError);
    await expect(startSimulator({ faults: { http500: -1 } })).rejects.toThrow(RangeError);
  });
});

describe('maxInFlight', () => {
  it('answers 429 above the limit without taking the orders, and records the peak concurrency', async () => {
    // Hung calls stay in flight for as long as we like, which makes the limit testable without timing.
    const simulator = await start({ maxInFlight: 2, faults: { hang: 1 } });
    const controller = new AbortController();
    const hung = [validImei(300), validImei(301)].map((imei) =>
      call(simulator, { action: 'placeorder', networkId: '1739', imei }, { signal: controller.signal }).catch(() => undefined),
    );
    await expect.poll(() => simulator.stats().inFlight).toBe(2);

    const refused = await placeOrder(simulator, '1739', [validImei(302)]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(simulator.orders().map((order) => order.imei).sort()).toEqual([validImei(300), validImei(301)]);
    expect(simulator.stats()).toMatchObject({ maxInFlight: 3, rateLimited: 1, placeorderCalls: 3 });

    controller.abort();
    await Promise.all(hung);
    await expect.poll(() => simulator.stats().inFlight).toBe(0);
    simulator.setFaults({});
    const accepted = readPlacement((await placeOrder(simulator, '1739', [validImei(302)])).text);
    expect(accepted.placed).toHaveLength(1);
  });

  it('counts one call at a time as a peak of 1', async () => {
    const simulator = await start({ latencyMs: 5 });
    for (let n = 0; n < 3; n++) await placeOrder(simulator, '1739', [validImei(400 + n)]);
    expect(simulator.stats()).toMatchObject({ maxInFlight: 1, inFlight: 0, placeorderCalls: 3, imeisReceived: 3 });
  });
});
