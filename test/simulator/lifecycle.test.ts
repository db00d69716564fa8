import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { call, placeOrder, readPlacement, validImei } from './helpers.js';

describe('setDown', () => {
  it('refuses connections while down and serves the same orders on the same port once up', async () => {
    const simulator = await startSimulator();
    try {
      const { port, url } = simulator;
      expect(url).toBe(`http://127.0.0.1:${port}`);
      readPlacement((await placeOrder(simulator, '1739', [validImei(1)])).text);

      await simulator.setDown(true);
      await expect(call(simulator, { action: 'imeiservices' })).rejects.toThrow();

      await simulator.setDown(false);
      expect(simulator.port).toBe(port);
      const repeat = readPlacement((await placeOrder(simulator, '1739', [validImei(1), validImei(2)])).text);
      expect(repeat.duplicates).toEqual([validImei(1)]);
      expect(repeat.placed.map((item) => item.imei)).toEqual([validImei(2)]);
    } finally {
      await simulator.close();
    }
  });
});

describe('close', () => {
  it('is safe to call twice, also while down, and stops serving', async () => {
    const simulator = await startSimulator();
    await simulator.setDown(true);
    await Promise.all([simulator.close(), simulator.close()]);
    await simulator.close();
    await expect(call(simulator, { action: 'imeiservices' })).rejects.toThrow();
    await expect(simulator.setDown(false)).rejects.toThrow(/closed/);
  });

  it('cuts calls waiting out their latency', async () => {
    const simulator = await startSimulator({ latencyMs: 60_000 });
    const attempt = call(simulator, { action: 'imeiservices' });
    await expect.poll(() => simulator.stats().inFlight).toBe(1);
    await simulator.close();
    await expect(attempt).rejects.toThrow();
  });
});
