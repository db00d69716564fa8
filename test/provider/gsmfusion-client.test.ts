import { describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderPermanentError } from '../../src/errors.js';
import { unaccountedImeis } from '../../src/provider/index.js';
import {
  API_KEY,
  BROKEN_DECLARATION,
  IMEI_A,
  IMEI_B,
  IMEI_C,
  USERNAME,
  client,
  failureOf,
  provider,
} from './client-harness.js';
import { closedPortUrl, xmlReply } from './fake-provider.js';

describe('the request', () => {
  it('is an urlencoded POST to the API path with credentials in the body only', async () => {
    const fake = await provider(xmlReply('<result/>'));
    await client(`${fake.baseUrl}/`).placeOrder('269', [IMEI_A, IMEI_B]);

    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/gsmfusion_api/index.php');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      userId: USERNAME,
      apiKey: API_KEY,
      action: 'placeorder',
      imei: `${IMEI_A},${IMEI_B}`,
      networkId: '269',
    });
  });

  it('keeps a path prefix of the base URL', async () => {
    const fake = await provider(xmlReply('<Packages/>'));
    await client(`${fake.baseUrl}/reseller//`).listServices();
    expect(fake.requests[0]?.url).toBe('/reseller/gsmfusion_api/index.php');
    expect(fake.requests[0]?.form.get('action')).toBe('imeiservices');
  });

  it('sends order ids comma-separated to getimeis', async () => {
    const fake = await provider(xmlReply('<result/>'));
    await client(fake.baseUrl).getOrders(['0123', '456']);
    expect(fake.requests[0]?.form.get('action')).toBe('getimeis');
    expect(fake.requests[0]?.form.get('orderIds')).toBe('0123,456');
  });

  it('reuses its keep-alive connections, so reply bodies are consumed', async () => {
    const fake = await provider(xmlReply('<result/>'));
    const gsm = client(fake.baseUrl);
    for (let call = 0; call < 5; call += 1) await gsm.getOrders(['1']);
    fake.replyWith(xmlReply(`<html><body>${'oops '.repeat(2000)}</body></html>`, 500));
    for (let call = 0; call < 4; call += 1) await failureOf(gsm.getOrders(['1']));
    fake.replyWith(xmlReply('<html>slow down</html>', 429));
    for (let call = 0; call < 4; call += 1) await failureOf(gsm.getOrders(['1']));
    expect(fake.requests).toHaveLength(13);
    // undici may open a second connection while the first is still settling after a reply;
    // a reply left unread would instead cost one new connection per call.
    expect(fake.connectionCount()).toBeLessThanOrEqual(2);
  });
});

describe('successful replies', () => {
  it('reads a placeorder reply with a broken declaration', async () => {
    const fake = await provider(
      xmlReply(
        `${BROKEN_DECLARATION}<result><imeis><id>0123</id><imei>${IMEI_A}</imei><status>Pending</status></imeis>` +
          `<imeiduplicates><imei>${IMEI_B}</imei></imeiduplicates></result>`,
      ),
    );
    const sent = [IMEI_A, IMEI_B, IMEI_C];
    const result = await client(fake.baseUrl).placeOrder('269', sent);
    expect(result).toEqual({
      placed: [{ imei: IMEI_A, orderId: '0123', status: 'Pending' }],
      duplicates: [IMEI_B],
      rejected: [],
    });
    expect(unaccountedImeis(sent, result)).toEqual([IMEI_C]);
  });

  it('reads the single-IMEI "IMEI already exists!" reply as a duplicate', async () => {
    const fake = await provider(xmlReply('<error>IMEI already exists!</error>'));
    const result = await client(fake.baseUrl).placeOrder('269', [IMEI_A]);
    expect(result).toEqual({ placed: [], duplicates: [IMEI_A], rejected: [] });
  });

  it('reads the catalogue and order results', async () => {
    const fake = await provider(
      xmlReply('<Packages><Package><PackageId>269</PackageId><PackageTitle>Checker</PackageTitle><PackagePrice>0.08</PackagePrice></Package></Packages>'),
    );
    const gsm = client(fake.baseUrl);
    expect(await gsm.listServices()).toMatchObject([{ id: '269', title: 'Checker', price: '0.08' }]);

    fake.replyWith(xmlReply(`<result><imeis><id>7</id><imei>${IMEI_A}</imei><status>2</status><code>Clean</code></imeis></result>`));
    expect(await gsm.getOrders(['7', '8'])).toMatchObject([{ orderId: '7', imei: IMEI_A, status: 'Completed', code: 'Clean' }]);
  });
});

describe('refusals', () => {
  it('"IMEI already exists!" for several IMEIs is permanent', async () => {
    const fake = await provider(xmlReply('<error>IMEI already exists!</error>'));
    const error = await failureOf(client(fake.baseUrl).placeOrder('269', [IMEI_A, IMEI_B]));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.message).toContain('IMEI already exists!');
  });

  it.each([
    ['with HTTP 200', 200],
    ['with HTTP 401', 401],
  ])('"Invalid API Key!" %s is an auth error', async (_name, status) => {
    const fake = await provider(xmlReply(`${BROKEN_DECLARATION}<error>Invalid API Key!</error>`, status));
    const error = await failureOf(client(fake.baseUrl).listServices());
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.details.httpStatus).toBe(status);
  });

  it('another provider error is permanent with the provider message', async () => {
    const fake = await provider(xmlReply('<error>Invalid Network ID!</error>'));
    const error = await failureOf(client(fake.baseUrl).placeOrder('9999', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.message).toContain('Invalid Network ID!');
  });

  it('a CDN 403 page is permanent', async () => {
    const fake = await provider(xmlReply('<html><body>Access denied</body></html>', 403));
    expect(await failureOf(client(fake.baseUrl).listServices())).toBeInstanceOf(ProviderPermanentError);
  });
});

describe('the client itself', () => {
  it('rejects more than 100 order ids and skips the call for none', async () => {
    const fake = await provider(xmlReply('<result/>'));
    const gsm = client(fake.baseUrl);
    const ids = Array.from({ length: 101 }, (_, index) => String(index));
    await expect(gsm.getOrders(ids)).rejects.toThrow('at most 100');
    expect(await gsm.getOrders([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('closes twice without complaint and refuses calls afterwards', async () => {
    const fake = await provider(xmlReply('<result/>'));
    const gsm = client(fake.baseUrl);
    await gsm.getOrders(['1']);
    await gsm.close();
    await gsm.close();
    await expect(gsm.getOrders(['1'])).rejects.toThrow('closed');
  });

  it('never puts the API key or the user name in an error message', async () => {
    const fake = await provider();
    const scenarios = [
      xmlReply(`<error>Invalid API Key! (${API_KEY} for ${USERNAME})</error>`),
      xmlReply(`<error>Unknown service for ${API_KEY}</error>`),
      xmlReply('<error>Invalid User!</error>'),
      xmlReply('<html>busy</html>', 429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }),
      xmlReply('<html>down</html>', 502),
      xmlReply(`<result><imeis><id>1</id><imei>${API_KEY}`),
      (_request: unknown, response: { socket: { destroy(): void } | null }) => response.socket?.destroy(),
      () => undefined,
    ];
    const messages: string[] = [];
    for (const scenario of scenarios) {
      fake.replyWith(scenario);
      const error = await failureOf(client(fake.baseUrl, { timeoutMs: 150 }).placeOrder('269', [IMEI_A, IMEI_B]));
      messages.push(error.message, JSON.stringify(error.details), String(error.cause ?? ''));
    }
    messages.push((await failureOf(client(await closedPortUrl()).listServices())).message);

    expect(messages.length).toBeGreaterThan(scenarios.length);
    for (const message of messages) {
      expect(message).not.toContain(API_KEY);
      expect(message).not.toContain(USERNAME);
    }
  });
});
