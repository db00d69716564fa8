/**
 * The provider thread builds whichever protocol its options name (createProviderClient), and the
 * daemon's side sees the same answers, the same error classes, and the capabilities the
 * thread's client learnt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderNoCreditError, ProviderPermanentError } from '../../src/errors.js';
import {
  DhruClient,
  GsmFusionClient,
  ThreadedProviderClient,
  type ProviderClient,
  type ProviderClientOptions,
  createProviderClient,
  capabilitiesOf,
} from '../../src/provider/index.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { validImei } from '../simulator/helpers.js';

// The thread runs the built script (`npm test` builds first): vitest's TypeScript stays here.
const BUILT_THREAD = new URL('../../dist/provider/provider-thread.js', import.meta.url);
const USER = 'shop-reseller';
const KEY = 'K9Q-2ZX-7T4-MNB-8VW-E3H-JRA-5PL';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const started = await startSimulator({ protocol: 'dhru', username: USER, apiKey: KEY, completeAfterMs: 0, ...options });
  opened.push(started);
  return started;
}

function options(baseUrl: string, dhru: ProviderClientOptions['dhru'] = {}): ProviderClientOptions {
  return { protocol: 'dhru', baseUrl, username: USER, apiKey: KEY, timeoutMs: 2000, dhru };
}

function threaded(clientOptions: ProviderClientOptions): ThreadedProviderClient {
  const client = new ThreadedProviderClient(clientOptions, { workerUrl: BUILT_THREAD });
  opened.push(client);
  return client;
}

function direct(clientOptions: ProviderClientOptions): ProviderClient {
  const client = createProviderClient(clientOptions);
  opened.push(client);
  return client;
}

describe('createProviderClient', () => {
  it('builds the client the protocol names; GSM Fusion stays the default', () => {
    expect(direct({ baseUrl: 'http://127.0.0.1:1', username: USER, apiKey: KEY })).toBeInstanceOf(GsmFusionClient);
    expect(direct(options('http://127.0.0.1:1'))).toBeInstanceOf(DhruClient);
  });

  it('each client says what its protocol offers', () => {
    expect(capabilitiesOf(direct({ baseUrl: 'http://127.0.0.1:1', username: USER, apiKey: KEY }))).toEqual({
      protocol: 'gsmfusion',
      imeisPerPlacingCall: 100,
      idsPerResultCall: 100,
      refusesRepeats: true,
      hasBulk: false,
      hasBalance: false,
      resultsNameImei: true,
      resultsNameService: true,
      orderIdsAscend: true,
    });
    expect(capabilitiesOf(direct(options('http://127.0.0.1:1', { bulk: 'off', refusesRepeats: true })))).toMatchObject({
      protocol: 'dhru',
      imeisPerPlacingCall: 1,
      idsPerResultCall: 1,
      refusesRepeats: true,
      hasBulk: false,
      hasBalance: true,
      resultsNameImei: false,
    });
  });
});

describe('ThreadedProviderClient speaking DHRU', () => {
  it('places, reads, looks up, reads the balance and probes through the thread, as the client here does', async () => {
    const sim = await simulator({ credit: 10 });
    const client = threaded(options(sim.url));
    expect(client.capabilities()).toMatchObject({ protocol: 'dhru', hasBulk: undefined });
    expect(await client.probeBulk()).toBe(true);
    expect(client.capabilities()).toMatchObject({ hasBulk: true, imeisPerPlacingCall: 100 });
    const imeis = [validImei(1), validImei(2)];
    const placed = await client.placeOrder('1739', imeis);
    expect(placed.placed.map((order) => order.imei)).toEqual(imeis);
    const ids = placed.placed.map((order) => order.orderId);
    expect((await client.getOrders(ids)).map((order) => order.status)).toEqual(['Completed', 'Completed']);
    expect((await client.lookUpOrders(ids)).map((order) => order.imei)).toEqual(imeis);
    expect(await client.accountInfo()).toEqual({ creditText: '9.84', credit: 9.84, currency: 'USD' });
    const here = direct(options(sim.url));
    expect((await client.listServices()).length).toBe((await here.listServices()).length);
  });

  it('learns "no bulk" in the thread, and the daemon side sees it', async () => {
    const sim = await simulator({ dhru: { bulk: 'empty' } });
    const client = threaded(options(sim.url, { singleEncoding: 'json' }));
    await client.placeOrder('1739', [validImei(3)]);
    expect(client.capabilities()).toMatchObject({ hasBulk: false, imeisPerPlacingCall: 1 });
  });

  it('rebuilds a no-credit refusal as its own class, with the partial outcome', async () => {
    const sim = await simulator({ credit: 0.1 });
    const client = threaded(options(sim.url, { knownBulk: true }));
    const error = await client.placeOrder('1739', [validImei(4), validImei(5)]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderNoCreditError);
    expect((error as ProviderNoCreditError).details.partial).toEqual({
      settled: { placed: [{ imei: validImei(4), orderId: sim.orders()[0]?.orderId, status: 'Pending' }], duplicates: [], rejected: [] },
      heldBack: [validImei(5)],
      notSent: [],
      unknown: [],
    });
  });

  it('a GSM Fusion thread refuses the DHRU-only calls without sending anything', async () => {
    const gsm = await startSimulator({});
    opened.push(gsm);
    const client = threaded({ baseUrl: gsm.url, username: USER, apiKey: KEY });
    await expect(client.accountInfo()).rejects.toBeInstanceOf(ProviderPermanentError);
    await expect(client.probeBulk()).rejects.toThrow('the gsmfusion protocol offers no probing for bulk actions');
    expect(client.capabilities().protocol).toBe('gsmfusion');
    expect(gsm.stats().callsByAction).toEqual({});
  });
});
