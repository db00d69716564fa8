/**
 * The DHRU client against the DHRU simulator on port 0, one server variation at a time: 50
 * IMEIs placed as the engine would (batches as large as the capabilities allow, ten calls in
 * flight), each ordered exactly once, then read back through Pending to its final status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderPermanentError } from '../../src/errors.js';
import { DhruClient, type DhruSettings, type OrderResult, type PlaceOrderResult } from '../../src/provider/index.js';
import { parseCodeFields } from '../../src/report/code-fields.js';
import { codeCellText } from '../../src/report/code-text.js';
import { type DhruSimulatorOptions, type Simulator, buildResultCode, startSimulator } from '../../src/simulator/index.js';
import { badCheckDigitImei, validImei } from '../simulator/helpers.js';

const USER = 'shop-reseller';
const KEY = 'K9Q-2ZX-7T4-MNB-8VW-E3H-JRA-5PL';
const COMPLETE_AFTER_MS = 600;
const SERVICE = '1739';

/** 45 valid IMEIs and 5 with a wrong check digit (ordered, then Rejected `Invalid_IMEI`). */
const IMEIS = [...Array.from({ length: 45 }, (_, n) => validImei(n + 1)), ...Array.from({ length: 5 }, (_, n) => badCheckDigitImei(n + 100))];
const BAD = new Set(IMEIS.slice(45));

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

async function setUp(dhru: DhruSimulatorOptions, settings: DhruSettings = {}): Promise<{ simulator: Simulator; client: DhruClient }> {
  const simulator = await startSimulator({ protocol: 'dhru', dhru, username: USER, apiKey: KEY, completeAfterMs: COMPLETE_AFTER_MS, otherAccountOrders: 1 });
  const client = new DhruClient({ baseUrl: `${simulator.url}/api/index.php`, username: USER, apiKey: KEY, timeoutMs: 5000, dhru: settings });
  opened.push(client, simulator);
  return { simulator, client };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** Runs `work` over the chunks with ten in flight, as the engine's concurrency would. */
async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) results.push(await work(item));
    }),
  );
  return results;
}

async function placeAll(client: DhruClient, imeis: readonly string[]): Promise<PlaceOrderResult> {
  await client.probeBulk();
  const { imeisPerPlacingCall } = client.capabilities();
  const replies = await inParallel(chunks(imeis, imeisPerPlacingCall), (batch) => client.placeOrder(SERVICE, batch));
  return {
    placed: replies.flatMap((reply) => reply.placed),
    duplicates: replies.flatMap((reply) => reply.duplicates),
    rejected: replies.flatMap((reply) => reply.rejected),
  };
}

async function readAll(client: DhruClient, orderIds: readonly string[]): Promise<Map<string, OrderResult>> {
  const { idsPerResultCall } = client.capabilities();
  const replies = await inParallel(chunks(orderIds, idsPerResultCall), (ids) => client.getOrders(ids));
  return new Map(replies.flat().map((result) => [result.orderId, result]));
}

/** Every IMEI placed exactly once, in the reply and in the simulator's book; then the statuses move as they should. */
async function checkVariation(simulator: Simulator, client: DhruClient, options: { inProcessCheck?: boolean } = {}): Promise<Map<string, OrderResult>> {
  const result = await placeAll(client, IMEIS);
  expect(result.placed.map((order) => order.imei).sort()).toEqual([...IMEIS].sort());
  expect(new Set(result.placed.map((order) => order.orderId)).size).toBe(IMEIS.length);
  expect(simulator.orders().map((order) => order.imei).sort()).toEqual([...IMEIS].sort());
  expect(simulator.stats()).toMatchObject({ ordersPlaced: IMEIS.length, duplicatesRefused: 0, repeatsOrdered: 0 });
  const ids = result.placed.map((order) => order.orderId);
  const imeiOf = new Map(result.placed.map((order) => [order.orderId, order.imei]));

  const early = await readAll(client, ids);
  expect([...early.values()].every((order) => order.status === 'Pending' || order.status === 'In Process')).toBe(true);
  if (options.inProcessCheck === true) {
    await new Promise((resolve) => setTimeout(resolve, COMPLETE_AFTER_MS * 0.6));
    expect(new Set([...(await readAll(client, ids)).values()].map((order) => order.status))).toEqual(new Set(['In Process']));
  }
  await new Promise((resolve) => setTimeout(resolve, COMPLETE_AFTER_MS + 50));
  const final = await readAll(client, ids);
  expect(final.size).toBe(IMEIS.length);
  for (const [orderId, order] of final) {
    const imei = imeiOf.get(orderId) ?? '';
    expect(order.status).toBe(BAD.has(imei) ? 'Rejected' : 'Completed');
    if (order.imei !== '') expect(order.imei).toBe(imei);
  }
  return final;
}

describe('the DHRU client against each simulated server', () => {
  it('a clean bulk server: one probe, one placing call, one read per 100', async () => {
    const { simulator, client } = await setUp({});
    const final = await checkVariation(simulator, client);
    expect(simulator.stats().callsByAction).toMatchObject({ getimeiorderbulk: 3, placeimeiorderbulk: 1 });
    const first = [...final.values()].find((order) => order.status === 'Completed');
    expect(first?.code).toContain('Model: ');
  });

  it.each(['invalid-action', 'empty'] as const)('no bulk (%s): one placeimeiorder and one getimeiorder per IMEI', async (bulk) => {
    const { simulator, client } = await setUp({ bulk }, { singleEncoding: 'json' });
    const final = await checkVariation(simulator, client);
    expect(client.capabilities()).toMatchObject({ hasBulk: false, imeisPerPlacingCall: 1, idsPerResultCall: 1 });
    expect(simulator.stats().callsByAction).toMatchObject({ getimeiorderbulk: 1, placeimeiorder: 50, getimeiorder: 100 });
    expect(simulator.stats().callsByAction['placeimeiorderbulk']).toBeUndefined();
    expect([...final.values()].every((order) => order.imei !== '')).toBe(true);
  });

  it('wrapped bulk replies', async () => {
    const { simulator, client } = await setUp({ bulk: 'wrapped' });
    await checkVariation(simulator, client);
  });

  it('numbers as strings and 2 for in process', async () => {
    const { simulator, client } = await setUp({ stringNumbers: true, processingStatus: 2 });
    await checkVariation(simulator, client, { inProcessCheck: true });
  });

  it('<br> between CODE fields, with HTML entities: the report reads the same fields as from ` - `', async () => {
    const { simulator, client } = await setUp({ codeFormat: 'br' });
    const final = await checkVariation(simulator, client);
    const imeiOf = new Map(simulator.orders().map((order) => [order.orderId, order.imei]));
    for (const [orderId, order] of final) {
      if (order.status !== 'Completed') continue;
      const dash = buildResultCode(SERVICE, imeiOf.get(orderId) ?? '');
      expect(order.code).toContain('<br>');
      expect(parseCodeFields(order.code)).toEqual(parseCodeFields(dash));
      expect(codeCellText(order.code)).toBe(dash);
      expect(parseCodeFields(order.code).carrier).not.toBe('');
    }
  });

  it('JSON-only single calls, bulk off: works with singleEncoding json; XML is refused pointing at the setting', async () => {
    const { simulator, client } = await setUp({ singleEncoding: 'json', bulk: 'invalid-action' }, { singleEncoding: 'json', bulk: 'off' });
    await checkVariation(simulator, client);
    const xml = new DhruClient({ baseUrl: simulator.url, username: USER, apiKey: KEY, dhru: { bulk: 'off' } });
    opened.push(xml);
    const refused = await xml.placeOrder(SERVICE, [validImei(900)]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderPermanentError);
    expect((refused as Error).message).toContain('provider.dhru.singleEncoding');
  });

  it('4xx errors instead of 200: repeats come back as duplicates, malformed IMEIs rejected, nothing else moves', async () => {
    const { simulator, client } = await setUp({ httpErrors: true, listShape: 'arrays', accountInfoKey: 'AccountInfo', creditFormat: 'suffix' });
    await checkVariation(simulator, client);
    const again = await client.placeOrder(SERVICE, [IMEIS[0] ?? '', '12345678901234']);
    expect(again).toEqual({ placed: [], duplicates: [IMEIS[0]], rejected: ['12345678901234'] });
    expect(simulator.stats().ordersPlaced).toBe(IMEIS.length);
    expect((await client.listServices()).find((entry) => entry.id === '3001')).toMatchObject({ orderableByImei: false });
    expect(await client.accountInfo()).toEqual({ creditText: `${(100_000 - 50 * 0.08).toFixed(2)} USD`, credit: 99_996, currency: 'USD' });
  });

  it('a server that orders repeats: the client never resends, and says the server does not refuse repeats', async () => {
    const { simulator, client } = await setUp({ refusesRepeats: false });
    await checkVariation(simulator, client);
    expect(client.capabilities().refusesRepeats).toBe(false);
    // A resend would be ordered and charged again: that is why the engine must not resend.
    await client.placeOrder(SERVICE, [IMEIS[0] ?? '']);
    expect(simulator.stats()).toMatchObject({ repeatsOrdered: 1, ordersPlaced: IMEIS.length + 1 });
  });
});
