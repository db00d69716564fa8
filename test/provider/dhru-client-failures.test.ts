import { describe, expect, it } from 'vitest';
import {
  ProviderAuthError,
  ProviderNoCreditError,
  ProviderPermanentError,
  ProviderSafeError,
  ProviderUnknownOutcomeError,
  haltsSubmission,
} from '../../src/errors.js';
import { IMEI_A, IMEI_B, IMEI_C, failureOf, provider } from './client-harness.js';
import { DHRU_KEY, DHRU_USER, actionsOf, byAction, dhruClient, jsonReply, placed, refused } from './dhru-harness.js';
import { closedPortUrl, xmlReply } from './fake-provider.js';

const IMEI_D = '353979106673567';

describe('refusals, with HTTP 200 or 4xx alike', () => {
  it.each([200, 401, 403])('bad credentials (HTTP %i) halt submission, saying neither key nor user name', async (status) => {
    const text = status === 403 ? 'Unauthorized IP address' : 'Authentication Failed';
    const fake = await provider(jsonReply(refused(text), status));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(haltsSubmission(error)).toBe(true);
    expect(error.message).toContain(text);
    expect(error.details.httpStatus).toBe(status);
    if (status === 403) expect(error.message).toContain('IP address may have changed');
  });

  it('a server that echoes the key or user name in its text has them removed', async () => {
    const fake = await provider(jsonReply({ ERROR: `Authentication Failed for ${DHRU_USER} with key ${DHRU_KEY}` }));
    const error = await failureOf(dhruClient(fake.baseUrl).accountInfo());
    expect(error.message).not.toContain(DHRU_KEY);
    expect(error.message).not.toContain(DHRU_USER);
    expect(error.message).toContain('[redacted]');
  });

  it('single calls: a repeat is a duplicate, a bad IMEI rejected, any other text refuses that row with its text', async () => {
    const fake = await provider(
      byAction({
        placeimeiorder: [
          jsonReply(refused(`Duplicate IMEI[${IMEI_A}]`), 400),
          jsonReply(refused(`Invalid IMEI![${IMEI_B}]`)),
          jsonReply({ ERROR: [{ MESSAGE: 'Invalid IMEI tool.', FULL_DESCRIPTION: 'Service is disabled' }] }, 500),
          jsonReply(placed('123 - CREDIT')),
        ],
      }),
    );
    const result = await dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C, IMEI_D]);
    expect(result).toEqual({
      placed: [{ imei: IMEI_D, orderId: '123 - CREDIT', status: 'Pending' }],
      duplicates: [IMEI_A],
      rejected: [IMEI_B],
      refused: [{ imei: IMEI_C, message: 'Invalid IMEI tool.: Service is disabled' }],
    });
  });

  it('no credit part way through single calls: what was placed is kept, the rest held back or never sent', async () => {
    const fake = await provider(byAction({ placeimeiorder: [jsonReply(placed(41)), jsonReply(refused('Insufficient Credits!'))] }));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]));
    expect(error).toBeInstanceOf(ProviderNoCreditError);
    expect(error.code).toBe('IMEI_ERR_PROVIDER_NO_CREDIT');
    expect(haltsSubmission(error)).toBe(true);
    expect(error.details.salvaged).toEqual([{ imei: IMEI_A, orderId: '41', status: 'Pending' }]);
    expect(error.details.partial).toEqual({
      settled: { placed: [{ imei: IMEI_A, orderId: '41', status: 'Pending' }], duplicates: [], rejected: [] },
      heldBack: [IMEI_B],
      notSent: [IMEI_C],
      unknown: [],
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('no credit for the later rows of a bulk call (wrapped reply): the earlier rows are placed', async () => {
    const reply = { SUCCESS: { r1: { status: 'success', message: 'Order received', referenceid: 41 }, r2: { status: 'error', message: 'Insufficient balance' } } };
    const fake = await provider(jsonReply(reply));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]));
    expect(error).toBeInstanceOf(ProviderNoCreditError);
    expect(error.details.partial).toEqual({
      settled: { placed: [{ imei: IMEI_A, orderId: '41', status: 'Pending' }], duplicates: [], rejected: [] },
      heldBack: [IMEI_B],
      notSent: [],
      // Its reference was missing: it may have been ordered, whatever the error's class.
      unknown: [IMEI_C],
    });
  });

  it('a top-level ERROR beside rows of ours does not hide the orders they carry', async () => {
    const fake = await provider(jsonReply({ r1: placed(41), r2: refused('Invalid IMEI![2]'), ERROR: [{ MESSAGE: 'Partial failure' }] }, 500));
    const result = await dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]);
    expect(result).toEqual({ placed: [{ imei: IMEI_A, orderId: '41', status: 'Pending' }], duplicates: [], rejected: [IMEI_B] });
  });

  it('a whole bulk call refused for lack of credit holds every row back', async () => {
    const fake = await provider(jsonReply(refused('Not enough credits'), 400));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).placeOrder('1739', [IMEI_A, IMEI_B]));
    expect(error).toBeInstanceOf(ProviderNoCreditError);
    expect(error.details.partial?.heldBack).toEqual([IMEI_A, IMEI_B]);
  });

  it('an encoding mismatch stops single calls with a hint at provider.dhru.singleEncoding', async () => {
    const fake = await provider(jsonReply(refused('Invalid parameters: Invalid format'), 400));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A, IMEI_B]));
    expect(error).toBeInstanceOf(ProviderPermanentError);
    expect(error.message).toContain('provider.dhru.singleEncoding');
    expect(error.details.partial).toEqual({
      settled: { placed: [], duplicates: [], rejected: [], refused: [{ imei: IMEI_A, message: 'Invalid parameters: Invalid format' }] },
      heldBack: [],
      notSent: [IMEI_B],
      unknown: [],
    });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('transport failures, classified as for GSM Fusion', () => {
  it('429 and 503 (with a JSON ERROR or a page) never reached the order logic: safe, with Retry-After', async () => {
    const fake = await provider(jsonReply(refused('Too many requests: 120 a minute'), 429, { 'retry-after': '7' }));
    const limited = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).placeOrder('1739', [IMEI_A]));
    expect(limited).toBeInstanceOf(ProviderSafeError);
    expect(limited.details).toMatchObject({ rateLimited: true, retryAfterSeconds: 7, httpStatus: 429 });
    fake.replyWith(xmlReply('<html>maintenance</html>', 503));
    expect(await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).placeOrder('1739', [IMEI_A]))).toBeInstanceOf(ProviderSafeError);
  });

  it.each([
    ['a 500 page', xmlReply('<html>Internal Server Error</html>', 500)],
    ['an empty 200', jsonReply('')],
    ['an HTML 200', xmlReply('<html><body>Just a moment...</body></html>')],
  ])('%s to a placing call: the outcome is unknown', async (_name, reply) => {
    const fake = await provider(reply);
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.message).toContain('orders may have been placed');
  });

  it('one failing call of a series: the earlier IMEIs keep their outcome, the later were never sent', async () => {
    const fake = await provider(byAction({ placeimeiorder: [jsonReply(placed(41)), xmlReply('<html>oops</html>', 500)] }));
    const error = await failureOf(dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.details.partial).toEqual({
      settled: { placed: [{ imei: IMEI_A, orderId: '41', status: 'Pending' }], duplicates: [], rejected: [] },
      heldBack: [],
      notSent: [IMEI_C],
      unknown: [IMEI_B],
    });
  });

  it('a connection refused: safe, nothing sent (and no probe failure passes as an unknown outcome)', async () => {
    const url = await closedPortUrl();
    const single = await failureOf(dhruClient(url, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A, IMEI_B]));
    expect(single).toBeInstanceOf(ProviderSafeError);
    expect(single.details.partial).toMatchObject({ notSent: [IMEI_A, IMEI_B], unknown: [] });
    expect(await failureOf(dhruClient(url).placeOrder('1739', [IMEI_A]))).toBeInstanceOf(ProviderSafeError);
  });

  it('a probe that times out places nothing: the placing call fails safe', async () => {
    const fake = await provider(() => undefined); // never answers
    const error = await failureOf(dhruClient(fake.baseUrl, { timeoutMs: 200 }).placeOrder('1739', [IMEI_A]));
    expect(error).toBeInstanceOf(ProviderSafeError);
    expect(error.message).toContain('probing for bulk support; no order was placed');
    expect(actionsOf(fake.requests)).toEqual(['getimeiorderbulk']);
  });

  it('a bulk reply cut short: the rows it carried whole are kept, the others unknown', async () => {
    const whole = JSON.stringify({ r1: placed(41), r2: refused(`Duplicate IMEI[${IMEI_B}]`), r3: placed(43), apiversion: '6.1' });
    const fake = await provider(jsonReply(whole.slice(0, whole.indexOf('"r3"') + 12)));
    const client = dhruClient(fake.baseUrl, { dhru: { knownBulk: true } });
    const error = await failureOf(client.placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]));
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(error.details.salvaged).toEqual([{ imei: IMEI_A, orderId: '41', status: 'Pending' }]);
    expect(error.details.partial?.settled).toEqual({ placed: [{ imei: IMEI_A, orderId: '41', status: 'Pending' }], duplicates: [IMEI_B], rejected: [] });
    expect(error.details.partial?.unknown).toEqual([IMEI_C]);
    // A JSON reply cut short is a transport fault, not a sign of no bulk.
    expect(client.bulkSupport()).toBe(true);
  });

  it('an empty or non-JSON 200 to a bulk placing call: rows unknown, and single calls from now on', async () => {
    for (const body of ['', '<html>Fatal error: Call to undefined function bulk()</html>']) {
      const fake = await provider(jsonReply(body));
      const client = dhruClient(fake.baseUrl, { dhru: { knownBulk: true } });
      expect(await failureOf(client.placeOrder('1739', [IMEI_A, IMEI_B]))).toBeInstanceOf(ProviderUnknownOutcomeError);
      expect(client.bulkSupport()).toBe(false);
    }
  });

  it('a bulk read cut short teaches nothing about bulk: the read fails, to be retried', async () => {
    const fake = await provider(jsonReply('{"o41":{"SUCCESS":[{"STATUS":4,"CO'));
    const client = dhruClient(fake.baseUrl);
    expect(await failureOf(client.getOrders(['41']))).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(client.bulkSupport()).toBeUndefined();
  });

  it('reads: an unknown text for one order is not taken for "no such order"', async () => {
    const fake = await provider(jsonReply(refused('Database busy, try later')));
    expect(await failureOf(dhruClient(fake.baseUrl).lookUpOrders(['41']))).toBeInstanceOf(ProviderPermanentError);
    fake.replyWith(jsonReply({ SUCCESS: [{ MESSAGE: 'no status' }] }));
    expect(await failureOf(dhruClient(fake.baseUrl).lookUpOrders(['41']))).toBeInstanceOf(ProviderUnknownOutcomeError);
  });

  it('reads: catalogue and balance replies without their content are unreadable, credentials still halt', async () => {
    const fake = await provider(jsonReply({ SUCCESS: [{ MESSAGE: 'ok' }] }));
    expect(await failureOf(dhruClient(fake.baseUrl).accountInfo())).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(await failureOf(dhruClient(fake.baseUrl).listServices())).toBeInstanceOf(ProviderUnknownOutcomeError);
    fake.replyWith(jsonReply(refused('Authentication Failed')));
    expect(await failureOf(dhruClient(fake.baseUrl).probeBulk())).toBeInstanceOf(ProviderAuthError);
    expect(await failureOf(dhruClient(fake.baseUrl).getOrders(['1']))).toBeInstanceOf(ProviderAuthError);
  });

  it('no message of any failure holds the key or the user name', async () => {
    const fake = await provider(jsonReply(`<b>${DHRU_KEY}</b>`, 500));
    const client = dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } });
    const messages = [
      (await failureOf(client.placeOrder('1739', [IMEI_A]))).message,
      (await failureOf(client.getOrders(['1']))).message,
      (await failureOf(client.accountInfo())).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(DHRU_KEY);
      expect(message).not.toContain(DHRU_USER);
    }
  });
});
