import { describe, expect, it } from 'vitest';
import { buildResultParts } from '../../src/simulator/index.js';
import {
  DHRU_CREDENTIALS,
  base64Json,
  dhruCall,
  dhruSimulator,
  getBulk,
  getSingle,
  placeBulk,
  placeSingle,
  xmlParameters,
} from './dhru-helpers.js';
import { badCheckDigitImei, validImei } from './helpers.js';

const A = validImei(1);
const B = validImei(2);

describe('the DHRU endpoint', () => {
  it('answers at /api/index.php with JSON and the template headers; the GSM Fusion path is not there', async () => {
    const simulator = await dhruSimulator();
    expect(simulator.protocol).toBe('dhru');
    const reply = await dhruCall(simulator, { action: 'accountinfo' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.headers.get('x-powered-by')).toBe('DHRU-FUSION');
    expect(reply.json).toEqual({
      SUCCESS: [{ message: 'Your Accout Info', AccoutInfo: { credit: '100,000.00', mail: 'tester@example.com', currency: 'USD' } }],
      apiversion: '6.1',
    });
    const gsm = await fetch(`${simulator.url}/gsmfusion_api/index.php`, { method: 'POST', body: 'action=imeiservices' });
    expect(gsm.status).toBe(404);
  });

  it('refuses bad credentials with Authentication Failed, with 401 when it answers errors with 4xx', async () => {
    for (const httpErrors of [false, true]) {
      const simulator = await dhruSimulator({ dhru: { httpErrors } });
      const reply = await dhruCall(simulator, { action: 'accountinfo', apiaccesskey: 'WRONG' });
      expect(reply.status).toBe(httpErrors ? 401 : 200);
      expect(reply.json).toEqual({ ERROR: [{ MESSAGE: 'Authentication Failed', FULL_DESCRIPTION: '' }], apiversion: '6.1' });
    }
  });

  it('writes as PHP does: escaped slashes and \\u escapes; ERROR as a string where asked', async () => {
    const simulator = await dhruSimulator({ dhru: { errorShape: 'string' } });
    const list = await dhruCall(simulator, { action: 'imeiservicelist' });
    expect(list.text).toContain('<b>Clean IMEIs only.<\\/b>');
    expect((await dhruCall(simulator, { action: 'nothing' })).json).toEqual({ ERROR: 'Invalid Action', apiversion: '6.1' });
  });

  it('lists the catalogue keyed by group and id, or as arrays, with a SERVER service and one needing a network', async () => {
    const keyed = (await dhruCall(await dhruSimulator(), { action: 'imeiservicelist' })).json as { SUCCESS: [{ LIST: Record<string, { SERVICES: Record<string, Record<string, unknown>> }> }] };
    const apple = keyed.SUCCESS[0].LIST['Apple iPhone Check Services']?.SERVICES['1739'];
    expect(apple).toMatchObject({ SERVICEID: 1739, SERVICETYPE: 'IMEI', CREDIT: 0.08, 'Requires.Network': 'None', 'Requires.Custom': [] });
    expect(keyed.SUCCESS[0].LIST['Server Services']?.SERVICES['3001']).toMatchObject({ SERVICETYPE: 'SERVER' });
    expect(keyed.SUCCESS[0].LIST['iPhone Unlock Services']?.SERVICES['1780']).toMatchObject({ 'Requires.Network': 'Required' });
    const arrays = (await dhruCall(await dhruSimulator({ dhru: { listShape: 'arrays', stringNumbers: true } }), { action: 'imeiservicelist' })).json as {
      SUCCESS: [{ LIST: { SERVICES: Record<string, unknown>[] }[] }];
    };
    expect(Array.isArray(arrays.SUCCESS[0].LIST)).toBe(true);
    expect(arrays.SUCCESS[0].LIST[0]?.SERVICES[0]).toMatchObject({ SERVICEID: '1739', CREDIT: '0.08' });
  });
});

describe('placing and reading', () => {
  it('places one IMEI per placeimeiorder, ids ascending from firstOrderId; reads it back with its IMEI', async () => {
    const simulator = await dhruSimulator({ completeAfterMs: 60_000 });
    expect((await placeSingle(simulator, '1739', A)).json).toEqual({ SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: 4100213 }], apiversion: '6.1' });
    const xml = await dhruCall(simulator, { action: 'placeimeiorder', parameters: xmlParameters('1739', B) });
    expect(xml.json).toMatchObject({ SUCCESS: [{ REFERENCEID: 4100214 }] });
    expect((await getSingle(simulator, '4100213')).json).toEqual({
      ID: '4100213',
      SUCCESS: [{ IMEI: A, STATUS: 0, CODE: '', COMMENTS: '' }],
      apiversion: '6.1',
    });
    expect(simulator.stats()).toMatchObject({ placeorderCalls: 2, getimeisCalls: 1, ordersPlaced: 2, callsByAction: { placeimeiorder: 2, getimeiorder: 1 } });
  });

  it('places a bulk call row by row, keyed by the references sent; refusals under their own reference', async () => {
    const simulator = await dhruSimulator();
    await placeSingle(simulator, '1739', B);
    const reply = await placeBulk(simulator, '1739', [A, B, '12345']);
    expect(reply.json).toEqual({
      r1: { SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: 4100214 }] },
      r2: { ERROR: [{ MESSAGE: `Duplicate IMEI[${B}]`, FULL_DESCRIPTION: '' }] },
      r3: { ERROR: [{ MESSAGE: 'Invalid IMEI![12345]', FULL_DESCRIPTION: '' }] },
      apiversion: '6.1',
    });
    expect(simulator.stats()).toMatchObject({ imeisReceived: 4, ordersPlaced: 2, duplicatesRefused: 1, malformedRefused: 1 });
  });

  it('wraps bulk placing replies in SUCCESS with lower-case fields where asked', async () => {
    const simulator = await dhruSimulator({ dhru: { bulk: 'wrapped', stringNumbers: true } });
    expect((await placeBulk(simulator, '1739', [A, A])).json).toEqual({
      SUCCESS: { r1: { status: 'success', message: 'Order received', referenceid: '4100213' }, r2: { status: 'error', message: `Duplicate IMEI[${A}]` } },
      apiversion: '1.0',
    });
  });

  it('reads many orders keyed by reference, an unknown id as an ERROR (or STATUS 0 where asked)', async () => {
    const simulator = await dhruSimulator({ completeAfterMs: 0, dhru: { stringNumbers: true } });
    await placeBulk(simulator, '1739', [A, badCheckDigitImei(3)]);
    const reply = await getBulk(simulator, ['4100213', '4100214', '5']);
    expect(reply.json).toEqual({
      o4100213: { SUCCESS: [{ STATUS: '4', CODE: buildResultParts('1739', A).join(' - ') }] },
      o4100214: { SUCCESS: [{ STATUS: '3', CODE: 'Invalid_IMEI' }] },
      o5: { ERROR: [{ MESSAGE: 'No IMEI Found', FULL_DESCRIPTION: '' }] },
      apiversion: '6.1',
    });
    const pending = await dhruSimulator({ dhru: { unknownIdsInBulk: 'pending' } });
    expect((await getBulk(pending, ['5'])).json).toEqual({ o5: { SUCCESS: [{ STATUS: 0, CODE: '' }] }, apiversion: '6.1' });
  });

  it('other accounts take the ids in between; theirs answer No IMEI Found (404 with httpErrors)', async () => {
    const simulator = await dhruSimulator({ otherAccountOrders: 2, dhru: { httpErrors: true } });
    const reply = await placeBulk(simulator, '1739', [A, B]);
    expect(reply.json).toMatchObject({ r1: { SUCCESS: [{ REFERENCEID: 4100213 }] }, r2: { SUCCESS: [{ REFERENCEID: 4100216 }] } });
    const other = await getSingle(simulator, '4100214');
    expect([other.status, other.json]).toEqual([404, { ERROR: [{ MESSAGE: 'No IMEI Found', FULL_DESCRIPTION: '' }], apiversion: '6.1' }]);
  });

  it('puts <br> between the fields of a finished check, & as &amp;, and 2 for in process where asked', async () => {
    const simulator = await dhruSimulator({ completeAfterMs: 400, dhru: { codeFormat: 'br', processingStatus: 2 } });
    await placeSingle(simulator, '1739', A);
    await new Promise((resolve) => setTimeout(resolve, 220));
    expect((await getSingle(simulator, '4100213')).json).toMatchObject({ SUCCESS: [{ STATUS: 2, CODE: '' }] });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const code = ((await getSingle(simulator, '4100213')).json as { SUCCESS: [{ CODE: string; STATUS: number }] }).SUCCESS[0];
    expect(code.STATUS).toBe(4);
    expect(code.CODE).toBe(buildResultParts('1739', A).map((part) => part.replaceAll('&', '&amp;')).join('<br>'));
  });
});

describe('server variations', () => {
  it.each(['invalid-action', 'empty'] as const)('bulk %s: no bulk actions', async (bulk) => {
    const simulator = await dhruSimulator({ dhru: { bulk } });
    const reply = await placeBulk(simulator, '1739', [A]);
    if (bulk === 'empty') expect([reply.status, reply.text]).toEqual([200, '']);
    else expect(reply.json).toEqual({ ERROR: [{ MESSAGE: 'Invalid Action', FULL_DESCRIPTION: '' }], apiversion: '6.1' });
    expect((await getBulk(simulator, ['1'])).json).toEqual(bulk === 'empty' ? undefined : reply.json);
    expect(simulator.stats().ordersPlaced).toBe(0);
  });

  it('JSON-only single calls refuse XML parameters; XML-only ones refuse base64 JSON', async () => {
    const jsonOnly = await dhruSimulator({ dhru: { singleEncoding: 'json' } });
    const xml = await dhruCall(jsonOnly, { action: 'placeimeiorder', parameters: xmlParameters('1739', A) });
    expect(xml.json).toMatchObject({ ERROR: [{ MESSAGE: 'Invalid parameters: Invalid format' }] });
    expect((await placeSingle(jsonOnly, '1739', A)).json).toMatchObject({ SUCCESS: [{ REFERENCEID: 4100213 }] });
    const xmlOnly = await dhruSimulator({ dhru: { singleEncoding: 'xml' } });
    expect((await placeSingle(xmlOnly, '1739', A)).json).toMatchObject({ ERROR: [{ MESSAGE: 'Invalid parameters: Invalid format' }] });
  });

  it('a bare + in base64 (not form-encoded) reaches the server as a space and is refused, not misread', async () => {
    const simulator = await dhruSimulator();
    const parameters = base64Json({ ID: '1739', IMEI: A, NOTE: '>>>' });
    expect(parameters).toContain('+');
    const response = await fetch(`${simulator.url}/api/index.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=tester&apiaccesskey=${DHRU_CREDENTIALS.apiaccesskey}&action=placeimeiorder&parameters=${parameters}`,
    });
    expect(await response.json()).toMatchObject({ ERROR: [{ MESSAGE: 'Invalid parameters: Invalid format' }] });
    expect(simulator.stats().ordersPlaced).toBe(0);
  });

  it('refuses unknown services, services needing more than an IMEI, and SERVER services', async () => {
    const simulator = await dhruSimulator({ dhru: { httpErrors: true } });
    const unknown = await placeSingle(simulator, '9999', A);
    expect([unknown.status, unknown.json?.['ERROR']]).toEqual([404, [{ MESSAGE: 'Invalid service ID', FULL_DESCRIPTION: '' }]]);
    expect((await placeSingle(simulator, '1780', A)).json).toMatchObject({ ERROR: [{ MESSAGE: 'Missing required field: Network' }] });
    expect((await placeSingle(simulator, '3001', A)).json).toMatchObject({ ERROR: [{ MESSAGE: 'Missing required field: QNT' }] });
  });
});

describe('money and repeats', () => {
  it('charges each order its price; refuses with Not enough credits when short; the credit can be set', async () => {
    const simulator = await dhruSimulator({ credit: 50, dhru: { creditFormat: 'suffix', accountInfoKey: 'AccountInfo' } });
    const reply = await placeBulk(simulator, '1001', [A, B]); // 35.00 each
    expect(reply.json).toMatchObject({ r1: { SUCCESS: [{ REFERENCEID: 4100213 }] }, r2: { ERROR: [{ MESSAGE: 'Not enough credits' }] } });
    expect(simulator.credit()).toBe(15);
    expect((await dhruCall(simulator, { action: 'accountinfo' })).json).toMatchObject({ SUCCESS: [{ AccountInfo: { credit: '15.00 USD' } }] });
    simulator.setCredit(100);
    expect((await placeSingle(simulator, '1001', B)).json).toMatchObject({ SUCCESS: [{ REFERENCEID: 4100214 }] });
    expect(simulator.stats()).toMatchObject({ refusedNoCredit: 1, ordersPlaced: 2, imeisReceived: 3 });
    expect(simulator.credit()).toBe(65);
  });

  it('refusesRepeats false: a repeat is ordered and charged again, and counted', async () => {
    const simulator = await dhruSimulator({ credit: 1, dhru: { refusesRepeats: false, creditFormat: 'number' } });
    await placeSingle(simulator, '1739', A);
    await placeBulk(simulator, '1739', [A, B]);
    expect(simulator.orders().map((order) => [order.orderId, order.imei, order.repeatOf])).toEqual([
      ['4100213', A, undefined],
      ['4100214', A, '4100213'],
      ['4100215', B, undefined],
    ]);
    expect(simulator.stats()).toMatchObject({ ordersPlaced: 3, repeatsOrdered: 1, duplicatesRefused: 0 });
    expect((await dhruCall(simulator, { action: 'accountinfo' })).json).toMatchObject({ SUCCESS: [{ AccoutInfo: { credit: 0.76 } }] });
  });
});

describe('faults, as for GSM Fusion', () => {
  it('apply to the DHRU placing actions by default; `getimeis` names the result actions', async () => {
    const simulator = await dhruSimulator({ faults: { http500: 1 } });
    expect((await placeSingle(simulator, '1739', A)).status).toBe(500);
    expect((await placeBulk(simulator, '1739', [A])).status).toBe(500);
    expect((await getSingle(simulator, '1')).status).toBe(200);
    const reads = await dhruSimulator({ faults: { http503: 1 }, faultActions: ['getimeis'] });
    expect((await getBulk(reads, ['1'])).status).toBe(503);
    expect((await placeSingle(reads, '1739', A)).status).toBe(200);
  });

  it('a cut-off reply is half the JSON, after the orders were taken', async () => {
    const simulator = await dhruSimulator({ faults: { truncated: 1 } });
    const reply = await placeBulk(simulator, '1739', [A, B]);
    expect([reply.status, reply.json]).toEqual([200, undefined]);
    expect(reply.text.startsWith('{"r1":{"SUCCESS":')).toBe(true);
    expect(simulator.stats().ordersPlaced).toBe(2);
  });
});
