import { describe, expect, it } from 'vitest';
import { ProviderPermanentError } from '../../src/errors.js';
import { IMEI_A, IMEI_B, IMEI_C, provider } from './client-harness.js';
import {
  BULK_PROBE_YES,
  DHRU_KEY,
  DHRU_USER,
  actionsOf,
  byAction,
  dhruClient,
  jsonReply,
  parametersOf,
  placed,
  refused,
} from './dhru-harness.js';

describe('the request', () => {
  it('is an urlencoded POST of the five fields to {base}/api/index.php, credentials in the body only', async () => {
    const fake = await provider(jsonReply({ SUCCESS: [{ message: 'Your Accout Info', AccoutInfo: { credit: '5.00' } }] }));
    await dhruClient(`${fake.baseUrl}/public/api/index.php/`).accountInfo();
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/public/api/index.php');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['accept']).toBe('application/json, */*');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({ username: DHRU_USER, apiaccesskey: DHRU_KEY, action: 'accountinfo', requestformat: 'JSON' });
  });

  it('single calls carry XML parameters by default, base64 JSON with singleEncoding json', async () => {
    const fake = await provider(jsonReply(placed(41)));
    await dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).placeOrder('1739', [IMEI_A]);
    await dhruClient(fake.baseUrl, { dhru: { bulk: 'off', singleEncoding: 'json' } }).placeOrder('1739', [IMEI_B]);
    expect(actionsOf(fake.requests)).toEqual(['placeimeiorder', 'placeimeiorder']);
    expect(parametersOf(fake.requests[0])).toBe(`<PARAMETERS><ID>1739</ID><IMEI>${IMEI_A}</IMEI></PARAMETERS>`);
    expect(parametersOf(fake.requests[1])).toEqual({ ID: '1739', IMEI: IMEI_B });
  });

  it('bulk placing: a read-only probe first, then one call keyed r1..rn, always base64 JSON', async () => {
    const fake = await provider(
      byAction({
        getimeiorderbulk: BULK_PROBE_YES,
        placeimeiorderbulk: jsonReply({ r1: placed(41), r2: placed(42), r3: refused(`Duplicate IMEI[${IMEI_C}]`) }),
      }),
    );
    const client = dhruClient(fake.baseUrl);
    expect(client.capabilities()).toMatchObject({ protocol: 'dhru', hasBulk: undefined, refusesRepeats: false });
    const result = await client.placeOrder('1739', [IMEI_A, IMEI_B, IMEI_C]);
    expect(result).toEqual({
      placed: [
        { imei: IMEI_A, orderId: '41', status: 'Pending' },
        { imei: IMEI_B, orderId: '42', status: 'Pending' },
      ],
      duplicates: [IMEI_C],
      rejected: [],
    });
    expect(actionsOf(fake.requests)).toEqual(['getimeiorderbulk', 'placeimeiorderbulk']);
    expect(parametersOf(fake.requests[0])).toEqual({ o1: { ID: '1' } });
    expect(parametersOf(fake.requests[1])).toEqual({ r1: { ID: '1739', IMEI: IMEI_A }, r2: { ID: '1739', IMEI: IMEI_B }, r3: { ID: '1739', IMEI: IMEI_C } });
    expect(client.capabilities()).toMatchObject({ hasBulk: true, imeisPerPlacingCall: 100, idsPerResultCall: 100 });
    await client.placeOrder('1739', [IMEI_A]);
    expect(actionsOf(fake.requests)).toEqual(['getimeiorderbulk', 'placeimeiorderbulk', 'placeimeiorderbulk']);
  });

  it('concurrent first calls share one probe', async () => {
    const fake = await provider(byAction({ getimeiorderbulk: BULK_PROBE_YES, placeimeiorderbulk: jsonReply({ r1: placed(41) }) }));
    const client = dhruClient(fake.baseUrl);
    await Promise.all([1, 2, 3].map(() => client.placeOrder('1739', [IMEI_A])));
    expect(actionsOf(fake.requests).filter((action) => action === 'getimeiorderbulk')).toHaveLength(1);
  });

  it('reads results with getimeiorderbulk keyed o<id>; bulk entries name no IMEI', async () => {
    const fake = await provider(jsonReply({ o41: { SUCCESS: [{ STATUS: 4, CODE: 'Clean' }] }, o42: { SUCCESS: [{ STATUS: '0', CODE: '' }] } }));
    const results = await dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } }).getOrders(['41', '42', '43']);
    expect(parametersOf(fake.requests[0])).toEqual({ o41: { ID: '41' }, o42: { ID: '42' }, o43: { ID: '43' } });
    expect(results.map((result) => [result.orderId, result.imei, result.status, result.code])).toEqual([
      ['41', '', 'Completed', 'Clean'],
      ['42', '', 'Pending', ''],
    ]);
  });

  it('looks orders up one by one, naming the IMEI; ids the server does not know are absent', async () => {
    const fake = await provider(
      byAction({
        getimeiorder: [
          jsonReply({ ID: '41', SUCCESS: [{ IMEI: IMEI_A, STATUS: 2, CODE: '' }] }),
          jsonReply(refused('No IMEI Found')),
          jsonReply(refused('Invalid service ID'), 404),
        ],
      }),
    );
    const results = await dhruClient(fake.baseUrl, { dhru: { singleEncoding: 'json' } }).lookUpOrders(['41', '99', '98']);
    expect(results).toEqual([{ orderId: '41', imei: IMEI_A, packageTitle: '', status: 'In Process', code: '', requestedAt: '' }]);
    expect(parametersOf(fake.requests[1])).toEqual({ ID: '99' });
  });

  it('asks nothing for no ids and refuses more than 100', async () => {
    const fake = await provider(jsonReply({}));
    const client = dhruClient(fake.baseUrl);
    expect(await client.getOrders([])).toEqual([]);
    await expect(client.getOrders(Array.from({ length: 101 }, (_, i) => String(i)))).rejects.toThrow('at most 100');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('bulk support', () => {
  it.each([
    ['Invalid Action', jsonReply(refused('Invalid Action'))],
    ['Invalid Action with HTTP 400', jsonReply(refused('Invalid action'), 400)],
    ['an empty body', jsonReply('')],
    ['a reply not keyed by the reference', jsonReply({ SUCCESS: [{ MESSAGE: 'ok' }] })],
  ])('a probe answered %s: no bulk, remembered; one placeimeiorder per IMEI', async (_name, answer) => {
    const fake = await provider(byAction({ getimeiorderbulk: answer, placeimeiorder: [jsonReply(placed(41)), jsonReply(placed(42))] }));
    const client = dhruClient(fake.baseUrl);
    expect(await client.probeBulk()).toBe(false);
    expect(client.capabilities()).toMatchObject({ hasBulk: false, imeisPerPlacingCall: 1, idsPerResultCall: 1 });
    const result = await client.placeOrder('1739', [IMEI_A, IMEI_B]);
    expect(result.placed.map((order) => order.orderId)).toEqual(['41', '42']);
    expect(actionsOf(fake.requests)).toEqual(['getimeiorderbulk', 'placeimeiorder', 'placeimeiorder']);
  });

  it('a bulk placing call refused with Invalid Action (nothing ordered) falls back to single calls at once', async () => {
    const fake = await provider(byAction({ placeimeiorderbulk: jsonReply(refused('Invalid Action')), placeimeiorder: jsonReply(placed(7)) }));
    const client = dhruClient(fake.baseUrl, { dhru: { knownBulk: true } });
    expect((await client.placeOrder('1739', [IMEI_A])).placed).toHaveLength(1);
    expect(actionsOf(fake.requests)).toEqual(['placeimeiorderbulk', 'placeimeiorder']);
    expect(client.bulkSupport()).toBe(false);
  });

  it('bulk "on" trusts the operator: no probe, and an Invalid Action is a permanent refusal', async () => {
    const fake = await provider(jsonReply(refused('Invalid Action')));
    const client = dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } });
    await expect(client.placeOrder('1739', [IMEI_A, IMEI_B])).rejects.toBeInstanceOf(ProviderPermanentError);
    expect(actionsOf(fake.requests)).toEqual(['placeimeiorderbulk']);
    expect(await client.probeBulk()).toBe(false);
    expect(client.capabilities().hasBulk).toBe(true);
  });

  it('bulk "off" never calls a bulk action, not even to read', async () => {
    const fake = await provider(byAction({ getimeiorder: jsonReply({ SUCCESS: [{ STATUS: 4, CODE: 'x' }] }) }));
    const results = await dhruClient(fake.baseUrl, { dhru: { bulk: 'off' } }).getOrders(['5', '6']);
    expect(results.map((result) => result.status)).toEqual(['Completed', 'Completed']);
    expect(actionsOf(fake.requests)).toEqual(['getimeiorder', 'getimeiorder']);
  });

  it('in auto a results read is the probe: an unkeyed answer switches to single reads', async () => {
    const fake = await provider(byAction({ getimeiorderbulk: jsonReply(''), getimeiorder: jsonReply({ SUCCESS: [{ STATUS: 1, CODE: '' }] }) }));
    const client = dhruClient(fake.baseUrl);
    expect((await client.getOrders(['5'])).map((result) => result.status)).toEqual(['In Process']);
    expect(client.bulkSupport()).toBe(false);
    expect(actionsOf(fake.requests)).toEqual(['getimeiorderbulk', 'getimeiorder']);
  });
});

describe('the catalogue guards the money', () => {
  it('a service the catalogue marks not orderable by IMEI is refused before anything is sent', async () => {
    const fake = await provider(
      byAction({
        imeiservicelist: jsonReply({
          SUCCESS: [{ LIST: { S: { GROUPNAME: 'S', SERVICES: { 3001: { SERVICEID: 3001, SERVICETYPE: 'SERVER', SERVICENAME: 'Credits' } } } } }],
        }),
      }),
    );
    const client = dhruClient(fake.baseUrl, { dhru: { bulk: 'on' } });
    expect(await client.listServices()).toEqual([expect.objectContaining({ id: '3001', orderableByImei: false })]);
    await expect(client.placeOrder('3001', [IMEI_A])).rejects.toThrow('cannot be ordered with an IMEI alone (a SERVER service, not an IMEI service); nothing was sent');
    expect(fake.requests).toHaveLength(1);
  });
});
