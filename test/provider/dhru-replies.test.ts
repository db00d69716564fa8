import { describe, expect, it } from 'vitest';
import { parseCredit, readAccountInfo } from '../../src/provider/dhru/account.js';
import { readCatalogue } from '../../src/provider/dhru/catalogue.js';
import { type JsonObject, readJsonObject } from '../../src/provider/dhru/json-reply.js';
import { PlacementTally, readBulkPlacement, readRowOutcome } from '../../src/provider/dhru/placement.js';
import { DEFAULT_REFUSAL_PATTERNS, refusalKind, refusalPatterns } from '../../src/provider/dhru/refusals.js';
import { dhruStatus, readBulkResults, readResultEntry } from '../../src/provider/dhru/results.js';
import { parseProviderStatus } from '../../src/provider/xml.js';

function json(text: string): JsonObject {
  const read = readJsonObject(text);
  if (!read.ok) throw new Error(read.problem);
  return read.value;
}

const SERVICE_1739 =
  '"SERVICEID":1739,"SERVICETYPE":"IMEI","SERVICENAME":"iPhone Carrier + Simlock + FMI","CREDIT":0.08,"TIME":"Instant-5 Minutes",' +
  '"INFO":"<b>Note<\\/b> & more","QNT":0,"Requires.Network":"None","Requires.PIN":"None","Requires.Custom":[]';

describe('imeiservicelist', () => {
  it('reads the template shape: LIST keyed by group, SERVICES keyed by id, CREDIT as sent', () => {
    const reply = json(
      `{"SUCCESS":[{"MESSAGE":"IMEI Service List","LIST":{"Apple Checkers":{"GROUPNAME":"Apple Checkers","GROUPTYPE":"IMEI","SERVICES":{"1739":{${SERVICE_1739}},` +
        '"45":{"SERVICEID":"45","SERVICENAME":"Unlock","CREDIT":"45.00","TIME":"1 Day","INFO":""}}}}}],"apiversion":"6.1"}',
    );
    // JSON objects keyed by numbers come out in numeric order: the catalogue is sorted by id anyway.
    expect(readCatalogue(reply)).toEqual([
      expect.objectContaining({ id: '45', price: '45.00', orderableByImei: true }),
      {
        id: '1739',
        category: 'Apple Checkers',
        title: 'iPhone Carrier + Simlock + FMI',
        price: '0.08',
        timeTaken: 'Instant-5 Minutes',
        mustRead: '<b>Note</b> & more',
        serviceType: 'IMEI',
        extraInputs: [],
        orderableByImei: true,
      },
    ]);
  });

  it('reads LIST and SERVICES as lists, falling back to the keys for id and category', () => {
    const reply = json(
      '{"SUCCESS":[{"LIST":[{"GROUPNAME":"G","SERVICES":[{"SERVICEID":7,"SERVICENAME":"A","CREDIT":1}]}]}]}',
    );
    expect(readCatalogue(reply)).toEqual([expect.objectContaining({ id: '7', category: 'G', title: 'A', price: '1' })]);
    const keyed = json('{"SUCCESS":[{"LIST":{"Group Key":{"SERVICES":{"88":{"SERVICENAME":"B"}}}}}]}');
    expect(readCatalogue(keyed)).toEqual([expect.objectContaining({ id: '88', category: 'Group Key' })]);
  });

  it('marks services an IMEI alone cannot order: SERVER and REMOTE types, required inputs, custom fields', () => {
    const reply = json(
      '{"SUCCESS":[{"LIST":{"Mixed":{"GROUPNAME":"Mixed","GROUPTYPE":"IMEI","SERVICES":{' +
        '"1":{"SERVICEID":1,"SERVICETYPE":"SERVER","SERVICENAME":"Credits"},' +
        '"2":{"SERVICEID":2,"SERVICENAME":"By network","Requires.Network":"Required","Requires.PIN":"None"},' +
        '"3":{"SERVICEID":3,"SERVICENAME":"Custom","Requires.Custom":[{"fieldname":"Email","fieldtype":"text","required":"on"}]},' +
        '"4":{"SERVICEID":4,"SERVICENAME":"Optional custom","Requires.Custom":[{"fieldname":"Note","required":"0"}],"Requires.SN":""},' +
        '"5":{"SERVICEID":5,"SERVICETYPE":"2","SERVICENAME":"Remote"},' +
        '"6":{"SERVICEID":6,"SERVICENAME":"Nested","Requires":{"MEP":"YES"}}}}}}]}',
    );
    const byId = Object.fromEntries((readCatalogue(reply) ?? []).map((entry) => [entry.id, entry]));
    expect(byId['1']).toMatchObject({ serviceType: 'SERVER', orderableByImei: false, notOrderableReason: 'a SERVER service, not an IMEI service' });
    expect(byId['2']).toMatchObject({ extraInputs: ['Network'], orderableByImei: false, notOrderableReason: 'needs more than the IMEI: Network' });
    expect(byId['3']).toMatchObject({ extraInputs: ['Email'], orderableByImei: false });
    expect(byId['4']).toMatchObject({ extraInputs: [], orderableByImei: true });
    expect(byId['5']).toMatchObject({ serviceType: 'REMOTE', orderableByImei: false });
    expect(byId['6']).toMatchObject({ extraInputs: ['MEP'], orderableByImei: false });
  });

  it('is undefined for a reply without LIST', () => {
    expect(readCatalogue(json('{"SUCCESS":[{"MESSAGE":"x"}]}'))).toBeUndefined();
  });
});

describe('accountinfo', () => {
  it.each([
    ['{"SUCCESS":[{"message":"Your Accout Info","AccoutInfo":{"credit":"1,250.40","mail":"a@b.c","currency":"USD"}}]}', { creditText: '1,250.40', credit: 1250.4, currency: 'USD' }],
    ['{"SUCCESS":[{"AccountInfo":{"credit":1250.4}}]}', { creditText: '1250.4', credit: 1250.4 }],
    ['{"SUCCESS":[{"AccoutInfo":{"credit":"1000 USD"}}]}', { creditText: '1000 USD', credit: 1000, currency: 'USD' }],
    ['{"SUCCESS":[{"AccoutInfo":{"credit":"$1,250.40","creditraw":1250.4}}]}', { creditText: '$1,250.40', credit: 1250.4 }],
    ['{"SUCCESS":{"AccoutInfo":{"credit":"n/a"}}}', { creditText: 'n/a' }],
  ])('%s', (body, balance) => {
    expect(readAccountInfo(json(body))).toEqual(balance);
  });

  it('is undefined without an account record', () => {
    expect(readAccountInfo(json('{"SUCCESS":[{"message":"x"}]}'))).toBeUndefined();
  });

  it.each<[string, number | undefined]>([
    ['1,250.40', 1250.4],
    ['1.250,40', 1250.4],
    ['1,000', 1000],
    ['1,000,000.5', 1000000.5],
    ['12,5', 12.5],
    ['€ 12,50', 12.5],
    ['-12.50', -12.5],
    ['USD -3', -3],
    ['0', 0],
    ['1 250,40 EUR', 1250.4],
    ['', undefined],
    ['unlimited', undefined],
    ['1,2,3', undefined],
  ])('parseCredit(%j) = %s', (text, value) => {
    expect(parseCredit(text)).toBe(value);
  });
});

describe('statuses: DHRU has a table of its own', () => {
  it.each([
    ['0', 'Pending'],
    ['1', 'In Process'],
    ['2', 'In Process'],
    ['3', 'Rejected'],
    ['4', 'Completed'],
    ['5', 'Pending'],
    ['', 'Pending'],
    ['-1', 'Pending'],
    ['04', 'Completed'],
    ['4.0', 'Completed'],
    [' 4 ', 'Completed'],
    ['Completed', 'Completed'],
    ['in process', 'In Process'],
    ['Cancelled', 'Rejected'],
  ])('%j -> %s', (raw, status) => {
    expect(dhruStatus(raw)).toBe(status);
  });

  it("never GSM Fusion's: 4 and 2 mean the opposite there", () => {
    expect([dhruStatus('4'), parseProviderStatus('4')]).toEqual(['Completed', 'In Process']);
    expect([dhruStatus('2'), parseProviderStatus('2')]).toEqual(['In Process', 'Completed']);
  });

  it('reads one order: IMEI when given, STATUS as number or string, CODE raw', () => {
    const single = json('{"ID":"41","SUCCESS":[{"IMEI":"353370080089458","STATUS":"4","CODE":"Model: X<br>Carrier: AT&amp;T","COMMENTS":""}]}');
    expect(readResultEntry(single, '41')).toEqual({
      kind: 'found',
      result: { orderId: '41', imei: '353370080089458', packageTitle: '', status: 'Completed', code: 'Model: X<br>Carrier: AT&amp;T', requestedAt: '' },
    });
    expect(readResultEntry(json('{"ERROR":[{"MESSAGE":"No IMEI Found"}]}'), '9')).toEqual({ kind: 'error', text: 'No IMEI Found' });
  });

  it('reads a bulk read by reference; errors and missing ids are absent', () => {
    const reply = json(
      '{"o41":{"SUCCESS":[{"STATUS":4,"CODE":"done"}]},"o42":{"SUCCESS":[{"STATUS":1,"CODE":""}]},"o43":{"ERROR":[{"MESSAGE":"No IMEI Found"}]},"apiversion":"6.1"}',
    );
    expect(readBulkResults(reply, ['41', '42', '43', '44', '41']).map((result) => [result.orderId, result.imei, result.status])).toEqual([
      ['41', '', 'Completed'],
      ['42', '', 'In Process'],
    ]);
  });
});

describe('placing replies, row by row', () => {
  it('a single call: REFERENCEID placed (a text one kept as is); SUCCESS without one unknown', () => {
    expect(readRowOutcome(json('{"SUCCESS":[{"MESSAGE":"Order received","REFERENCEID":4100213}]}'))).toEqual({ kind: 'placed', orderId: '4100213' });
    expect(readRowOutcome(json('{"SUCCESS":[{"REFERENCEID":"123 - CREDIT"}]}'))).toEqual({ kind: 'placed', orderId: '123 - CREDIT' });
    expect(readRowOutcome(json('{"SUCCESS":[{"MESSAGE":"Order placed successfully"}]}'))).toEqual({ kind: 'unknown' });
    expect(readRowOutcome(json('{"ERROR":[{"MESSAGE":"Duplicate IMEI[1]"}]}'))).toEqual({ kind: 'refusal', text: 'Duplicate IMEI[1]' });
  });

  it('bulk keyed at the top level; a reference missing is unknown, never "not ordered"', () => {
    const reply = json(
      '{"r1":{"SUCCESS":[{"MESSAGE":"Order received","REFERENCEID":4100214}]},"r2":{"ERROR":[{"MESSAGE":"Duplicate IMEI[353979106673567]"}]},"apiversion":"6.1"}',
    );
    expect(Object.fromEntries(readBulkPlacement(reply, ['r1', 'r2', 'r3']))).toEqual({
      r1: { kind: 'placed', orderId: '4100214' },
      r2: { kind: 'refusal', text: 'Duplicate IMEI[353979106673567]' },
      r3: { kind: 'unknown' },
    });
  });

  it('bulk wrapped in a SUCCESS object with lower-case status, message and referenceid', () => {
    const reply = json(
      '{"SUCCESS":{"r1":{"status":"success","message":"Order received","referenceid":4100214},"r2":{"status":"error","message":"Insufficient balance"},' +
        '"r3":{"status":"success","message":"no id"},"r4":{"status":"queued","referenceid":5}},"apiversion":"1.0"}',
    );
    expect(Object.fromEntries(readBulkPlacement(reply, ['r1', 'r2', 'r3', 'r4', 'r5']))).toEqual({
      r1: { kind: 'placed', orderId: '4100214' },
      r2: { kind: 'refusal', text: 'Insufficient balance' },
      r3: { kind: 'unknown' },
      r4: { kind: 'unknown' },
      r5: { kind: 'unknown' },
    });
  });

  it('a reply not keyed by us, or a single-call reply to a bulk call, leaves every row unknown', () => {
    const reply = json('{"SUCCESS":[{"MESSAGE":"Order received","REFERENCEID":1}]}');
    expect([...readBulkPlacement(reply, ['r1', 'r2']).values()]).toEqual([{ kind: 'unknown' }, { kind: 'unknown' }]);
  });

  it('the tally sorts refusals by their text; account-level ones are held back', () => {
    const tally = new PlacementTally(refusalPatterns(), (text) => text.replace('SECRET', '[redacted]'));
    tally.add('1', { kind: 'placed', orderId: '10' });
    tally.add('2', { kind: 'refusal', text: 'Duplicate IMEI[2]' });
    tally.add('3', { kind: 'refusal', text: 'Invalid IMEI![3]' });
    tally.add('4', { kind: 'refusal', text: 'Invalid IMEI tool.' });
    tally.add('5', { kind: 'refusal', text: 'Insufficient Credits! SECRET' });
    tally.add('6', { kind: 'refusal', text: 'Not enough credits' });
    tally.add('7', { kind: 'unknown' });
    tally.addNotSent(['8']);
    expect(tally.accountRefusal).toEqual({ kind: 'credit', text: 'Insufficient Credits! [redacted]' });
    expect(tally.partial()).toEqual({
      settled: {
        placed: [{ imei: '1', orderId: '10', status: 'Pending' }],
        duplicates: ['2'],
        rejected: ['3'],
        refused: [{ imei: '4', message: 'Invalid IMEI tool.' }],
      },
      heldBack: ['5', '6'],
      notSent: ['8'],
      unknown: ['7'],
    });
  });
});

describe('refusal texts', () => {
  const patterns = refusalPatterns();
  it.each([
    ['Authentication Failed', 'credentials'],
    ['Authentication Failed!', 'credentials'],
    ['API Access Key is required!', 'credentials'],
    ['Invalid API access key or username', 'credentials'],
    ['Unauthorized IP address', 'credentials'],
    ['Your Server IP is not allowed to access this API', 'credentials'],
    ['Not enough credits', 'credit'],
    ['Insufficient Credits!', 'credit'],
    ['Insufficient balance', 'credit'],
    ['Overdue limit exceeded', 'credit'],
    ['Invalid Action', 'unknownAction'],
    ['invalid action', 'unknownAction'],
    ['Invalid parameters: Invalid format', 'unreadableInput'],
    ['Parameters must be valid base64-encoded JSON', 'unreadableInput'],
    ["Parameter 'ID' Required", 'unreadableInput'],
    ['No IMEI found.', 'unreadableInput'],
    ['Duplicate IMEI[353979106673567]', 'duplicate'],
    ['Invalid IMEI![35397910667356]', 'badImei'],
    ['Invalid IMEI tool.', 'other'],
    ['Invalid service ID', 'other'],
    ['"Apple GSX" is not available for ordering right now.', 'other'],
    ['Missing required field: Network', 'other'],
    ['Something new', 'other'],
  ])('placing: %j is %s', (text, kind) => {
    expect(refusalKind(text, patterns, 'place')).toBe(kind);
  });

  it('reading: `No IMEI Found` and `Invalid service ID` name an order the server does not know', () => {
    expect(refusalKind('No IMEI Found', patterns, 'read')).toBe('unknownOrder');
    expect(refusalKind('Invalid service ID', patterns, 'read')).toBe('unknownOrder');
    expect(refusalKind("Parameter 'ID' Required", patterns, 'read')).toBe('unreadableInput');
    expect(refusalKind('Authentication Failed', patterns, 'read')).toBe('credentials');
    expect(refusalKind('Database busy', patterns, 'read')).toBe('other');
  });

  it('patterns are configurable list by list, matched ignoring case and runs of spaces', () => {
    const custom = refusalPatterns({ duplicate: ['ALREADY   IN queue'] });
    expect(refusalKind('IMEI already in  Queue', custom, 'place')).toBe('duplicate');
    expect(refusalKind('Duplicate IMEI[1]', custom, 'place')).toBe('other');
    expect(custom.credit).toEqual(DEFAULT_REFUSAL_PATTERNS.credit);
    expect(refusalKind('anything', refusalPatterns({ credit: [''] }), 'place')).toBe('other');
  });
});
