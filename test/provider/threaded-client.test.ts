import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderAuthError, ProviderSafeError, ProviderUnknownOutcomeError } from '../../src/errors.js';
import { GsmFusionClient, ThreadedProviderClient, type GsmFusionClientOptions, type ProviderClient } from '../../src/provider/index.js';
import { API_KEY, IMEI_A, IMEI_B, USERNAME, provider } from './client-harness.js';
import { closedPortUrl, xmlReply, type ReplyWith } from './fake-provider.js';

// The thread runs the built script (`npm test` builds first): vitest's TypeScript stays here.
const BUILT_THREAD = new URL('../../dist/provider/provider-thread.js', import.meta.url);
const DIES_ONCE = new URL('../fixtures/threads/dies-once.mjs', import.meta.url);

const made: ProviderClient[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((client) => client.close()));
});
const dir = mkdtempSync(join(tmpdir(), 'imei-provider-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(baseUrl: string): GsmFusionClientOptions {
  return { baseUrl, username: USERNAME, apiKey: API_KEY, timeoutMs: 1000 };
}

function threaded(baseUrl: string, workerUrl = BUILT_THREAD): ThreadedProviderClient {
  const client = new ThreadedProviderClient(options(baseUrl), { workerUrl });
  made.push(client);
  return client;
}

function inThread(baseUrl: string): GsmFusionClient {
  const client = new GsmFusionClient(options(baseUrl));
  made.push(client);
  return client;
}

/** What a call came to: its answer, or its error's class, code, message and details. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { answer: await promise };
  } catch (error) {
    const { code, details } = error as { code?: string; details?: unknown };
    return { error: (error as Error).constructor.name, code, message: (error as Error).message, details };
  }
}

const PLACED = `<result><imeis><id>101</id><imei>${IMEI_A}</imei><status>Pending</status></imeis>` +
  `<imeis><id>102</id><imei>${IMEI_B}</imei><status>1</status></imeis></result>`;

describe('ThreadedProviderClient', () => {
  it.each<[string, ReplyWith]>([
    ['orders placed', xmlReply(PLACED)],
    ['bad credentials', xmlReply('<result><error>Invalid API Key!</error></result>')],
    ['429 with Retry-After', xmlReply('<html>Too Many Requests</html>', 429, { 'retry-after': '3' })],
    ['500', xmlReply('<html>Internal Server Error</html>', 500)],
    ['a reply cut short', xmlReply('<result><imeis><id>1')],
  ])('answers as the client on the calling thread does: %s', async (_name, reply) => {
    const fake = await provider(reply);
    const expected = await outcome(inThread(fake.baseUrl).placeOrder('269', [IMEI_A, IMEI_B]));
    const actual = await outcome(threaded(fake.baseUrl).placeOrder('269', [IMEI_A, IMEI_B]));
    expect(actual).toEqual(expected);
    expect(fake.requests).toHaveLength(2);
  });

  it('rebuilds each provider error as its own class, so the engine decides alike', async () => {
    const fake = await provider(xmlReply('<result><error>Invalid User!</error></result>'));
    await expect(threaded(fake.baseUrl).placeOrder('269', [IMEI_A])).rejects.toBeInstanceOf(ProviderAuthError);
    const refused = await closedPortUrl();
    await expect(threaded(refused).getOrders(['1'])).rejects.toBeInstanceOf(ProviderSafeError);
  });

  it('reads the catalogue and order results through the thread', async () => {
    const fake = await provider(xmlReply(`<result><imeis><id>7</id><imei>${IMEI_A}</imei><status>2</status><code>Clean</code></imeis></result>`));
    expect(await threaded(fake.baseUrl).getOrders(['7'])).toEqual(await inThread(fake.baseUrl).getOrders(['7']));
  });

  it('an abort reaches the call in the thread; a signal aborted before the call sends nothing', async () => {
    const fake = await provider(() => undefined); // never answers
    const client = threaded(fake.baseUrl);
    const controller = new AbortController();
    const call = outcome(client.placeOrder('269', [IMEI_A], controller.signal));
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await call).toMatchObject({ error: 'ProviderUnknownOutcomeError', message: expect.stringContaining('aborted by the caller') });
    await expect(client.placeOrder('269', [IMEI_B], AbortSignal.abort())).rejects.toBeInstanceOf(ProviderSafeError);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a bad base URL at once, as the client does', () => {
    expect(() => new ThreadedProviderClient(options('ftp://example.com'), { workerUrl: BUILT_THREAD })).toThrow(ConfigError);
  });

  it('a thread that dies with calls in flight: placeorder is unknown, getimeis safe; the next call gets a new thread', async () => {
    process.env.IMEI_TEST_THREAD = 'provider/provider-thread.js';
    process.env.IMEI_TEST_MARKER = join(dir, 'died-once');
    const fake = await provider(xmlReply(PLACED));
    const client = threaded(fake.baseUrl, DIES_ONCE);
    const [order, results] = await Promise.allSettled([client.placeOrder('269', [IMEI_A]), client.getOrders(['1'])]);
    expect((order as PromiseRejectedResult).reason).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect((results as PromiseRejectedResult).reason).toBeInstanceOf(ProviderSafeError);
    expect((await client.placeOrder('269', [IMEI_A, IMEI_B])).placed.map((placed) => placed.orderId)).toEqual(['101', '102']);
  });

  it('closes twice without complaint and refuses calls afterwards', async () => {
    const fake = await provider(xmlReply(PLACED));
    const client = threaded(fake.baseUrl);
    await client.placeOrder('269', [IMEI_A]);
    await client.close();
    await client.close();
    await expect(client.placeOrder('269', [IMEI_A])).rejects.toThrow('the provider client is closed');
  });
});
