import { describe, expect, it } from 'vitest';
import {
  ProviderRefusal,
  ReplyParseError,
  parseCatalogue,
  parseOrders,
  parsePlaceOrder,
  parseProviderStatus,
  refusalMessageOf,
} from '../../src/provider/xml.js';
import { unaccountedImeis } from '../../src/provider/unaccounted.js';

const BROKEN_DECLARATION = '<?phpxml version="1.0" encoding="utf-8"?>';
const IMEI_A = '353370080089458';
const IMEI_B = '351685051003195';
const IMEI_C = '351685051003196';
const IMEI_D = '490154203237518';

const PACKAGE_ONE =
  '<Package><PackageId>0269</PackageId><Category>Apple</Category><PackageTitle>AT&T iPhone Checker</PackageTitle>' +
  '<PackagePrice>0.08</PackagePrice><TimeTaken>1-5 Minutes</TimeTaken><MustRead>Clean<br>only</MustRead></Package>';
const PACKAGE_TWO = '<Package><PackageId>12</PackageId><PackageTitle>Unlock</PackageTitle><PackagePrice>150.00</PackagePrice></Package>';

describe('parseCatalogue', () => {
  it.each([
    ['the Packages wrapper and a broken declaration', `${BROKEN_DECLARATION}\n<Packages>${PACKAGE_ONE}${PACKAGE_TWO}</Packages>`],
    ['no wrapper, packages under a result root', `<result>${PACKAGE_ONE}${PACKAGE_TWO}</result>`],
    ['no wrapper and no root at all', `<?xml version="1.0"?>${PACKAGE_ONE}${PACKAGE_TWO}`],
    ['lower-case tag names', `<packages>${PACKAGE_ONE.toLowerCase()}${PACKAGE_TWO}</packages>`],
  ])('reads a catalogue with %s', (_name, body) => {
    const entries = parseCatalogue(body);
    expect(entries.map((entry) => entry.id)).toEqual(['0269', '12']);
    expect(entries[1]).toMatchObject({ title: 'Unlock', price: '150.00', category: '', timeTaken: '' });
  });

  it('keeps values as text, repairs a bare ampersand and turns <br> into a line break', () => {
    const [first] = parseCatalogue(`<Packages>${PACKAGE_ONE}</Packages>`);
    expect(first).toEqual({
      id: '0269',
      category: 'Apple',
      title: 'AT&T iPhone Checker',
      price: '0.08',
      timeTaken: '1-5 Minutes',
      mustRead: 'Clean\nonly',
    });
  });

  it('reads a single package and an empty catalogue', () => {
    expect(parseCatalogue(`<Packages>${PACKAGE_TWO}</Packages>`)).toHaveLength(1);
    expect(parseCatalogue('<Packages></Packages>')).toEqual([]);
    expect(parseCatalogue('<Packages/>')).toEqual([]);
  });
});

describe('parsePlaceOrder', () => {
  it('reads one placed order and keeps the order id as text', () => {
    const body = `${BROKEN_DECLARATION}<result><imeis><id>0123</id><imei>${IMEI_A}</imei><status>Pending</status></imeis></result>`;
    expect(parsePlaceOrder(body, [IMEI_A])).toEqual({
      placed: [{ imei: IMEI_A, orderId: '0123', status: 'Pending' }],
      duplicates: [],
      rejected: [],
    });
  });

  it('splits several IMEIs into placed, duplicates and malformed', () => {
    const body = `<result>
      <imeis><id>15556534</id><imei>${IMEI_A}</imei><status>1</status></imeis>
      <imeis><id>15556535</id><imei>${IMEI_D}</imei><status>in process</status></imeis>
      <imeiduplicates><imei>${IMEI_B}</imei></imeiduplicates>
      <imeierrors><imei>${IMEI_C}</imei></imeierrors>
    </result>`;
    expect(parsePlaceOrder(body, [IMEI_A, IMEI_B, IMEI_C, IMEI_D])).toEqual({
      placed: [
        { imei: IMEI_A, orderId: '15556534', status: 'Pending' },
        { imei: IMEI_D, orderId: '15556535', status: 'In Process' },
      ],
      duplicates: [IMEI_B],
      rejected: [IMEI_C],
    });
  });

  it.each([
    ['one comma-separated imei element', `<imeiduplicates><imei>${IMEI_A},${IMEI_B}, ${IMEI_C}</imei></imeiduplicates>`],
    ['several imei elements', `<imeiduplicates><imei>${IMEI_A}</imei><imei>${IMEI_B},${IMEI_C}</imei></imeiduplicates>`],
    ['bare text', `<imeiduplicates>${IMEI_A},${IMEI_B},${IMEI_C}</imeiduplicates>`],
    ['several imeiduplicates elements', `<imeiduplicates><imei>${IMEI_A}</imei></imeiduplicates><imeiduplicates><imei>${IMEI_B},${IMEI_C}</imei></imeiduplicates>`],
  ])('reads duplicates written as %s', (_name, inner) => {
    const result = parsePlaceOrder(`<result>${inner}</result>`, [IMEI_A, IMEI_B, IMEI_C]);
    expect(result.duplicates).toEqual([IMEI_A, IMEI_B, IMEI_C]);
    expect(result.placed).toEqual([]);
  });

  it('treats the single-IMEI "IMEI already exists!" reply as a duplicate', () => {
    expect(parsePlaceOrder('<error>IMEI already exists!</error>', [IMEI_A])).toEqual({
      placed: [],
      duplicates: [IMEI_A],
      rejected: [],
    });
  });

  it('refuses "IMEI already exists!" for a call with several IMEIs', () => {
    expect(() => parsePlaceOrder('<error>IMEI already exists!</error>', [IMEI_A, IMEI_B])).toThrow(ProviderRefusal);
  });

  it('leaves out IMEIs the reply does not mention, ones without an order id, and ones never sent', () => {
    const body = `<result>
      <imeis><id>1</id><imei>${IMEI_A}</imei><status>Pending</status></imeis>
      <imeis><id></id><imei>${IMEI_B}</imei><status>Pending</status></imeis>
      <imeis><id>3</id><imei>999999999999999</imei><status>Pending</status></imeis>
    </result>`;
    const sent = [IMEI_A, IMEI_B, IMEI_C];
    const result = parsePlaceOrder(body, sent);
    expect(result.placed.map((order) => order.imei)).toEqual([IMEI_A]);
    expect(unaccountedImeis(sent, result)).toEqual([IMEI_B, IMEI_C]);
  });

  it('lists an IMEI once even when the reply names it twice', () => {
    const body = `<result><imeis><id>7</id><imei>${IMEI_A}</imei><status>Pending</status></imeis>
      <imeiduplicates><imei>${IMEI_A}</imei></imeiduplicates></result>`;
    expect(parsePlaceOrder(body, [IMEI_A])).toEqual({
      placed: [{ imei: IMEI_A, orderId: '7', status: 'Pending' }],
      duplicates: [],
      rejected: [],
    });
  });

  it('reads an empty result as nothing accounted for', () => {
    const result = parsePlaceOrder('<result></result>', [IMEI_A]);
    expect(unaccountedImeis([IMEI_A], result)).toEqual([IMEI_A]);
  });
});

describe('parseOrders', () => {
  it('reads orders with statuses as words or numbers and keeps ids and IMEIs as text', () => {
    const code =
      'Model: iPhone 11 Purple 64GB - IMEI Number: 353979106673567 - Carrier: T-Mobile USA &amp; more - SimLock: Unlocked';
    const body = `${BROKEN_DECLARATION}<result>
      <imeis><id>00042</id><imei>${IMEI_A}</imei><package>Apple Checker</package><status>2</status>
        <code>${code}</code><requestedat>2024-01-02 03:04:05</requestedat></imeis>
      <imeis><id>43</id><imei>${IMEI_B}</imei><package>Apple Checker</package><status> REJECTED </status><code>Invalid_IMEI</code></imeis>
      <imeis><id>44</id><imei>${IMEI_C}</imei><status>3</status><code/></imeis>
      <imeis><id>45</id><imei>${IMEI_D}</imei><status>4</status></imeis>
    </result>`;
    const orders = parseOrders(body);
    expect(orders).toEqual([
      {
        orderId: '00042',
        imei: IMEI_A,
        packageTitle: 'Apple Checker',
        status: 'Completed',
        code: 'Model: iPhone 11 Purple 64GB - IMEI Number: 353979106673567 - Carrier: T-Mobile USA & more - SimLock: Unlocked',
        requestedAt: '2024-01-02 03:04:05',
      },
      { orderId: '43', imei: IMEI_B, packageTitle: 'Apple Checker', status: 'Rejected', code: 'Invalid_IMEI', requestedAt: '' },
      { orderId: '44', imei: IMEI_C, packageTitle: '', status: 'Rejected', code: '', requestedAt: '' },
      { orderId: '45', imei: IMEI_D, packageTitle: '', status: 'In Process', code: '', requestedAt: '' },
    ]);
  });

  it('reads an empty result as no known orders', () => {
    expect(parseOrders('<result/>')).toEqual([]);
    expect(parseOrders('<?xml version="1.0"?>\n<result>\n</result>\n')).toEqual([]);
  });
});

describe('parseProviderStatus', () => {
  it.each([
    ['1', 'Pending'],
    ['2', 'Completed'],
    ['3', 'Rejected'],
    ['4', 'In Process'],
    [' 4 ', 'In Process'],
    ['pending', 'Pending'],
    ['COMPLETED', 'Completed'],
    ['Rejected', 'Rejected'],
    ['In Process', 'In Process'],
    ['in  process', 'In Process'],
    ['IN_PROCESS', 'In Process'],
    ['InProcess', 'In Process'],
  ])('reads %j as %s', (raw, status) => {
    expect(parseProviderStatus(raw)).toBe(status);
  });

  it.each(['', '0', '5', 'Cancelled'])('does not guess for %j', (raw) => {
    expect(parseProviderStatus(raw)).toBeUndefined();
  });
});

describe('replies that are not readable', () => {
  const unreadable: [string, string][] = [
    ['an empty body', ''],
    ['whitespace only', '  \n '],
    ['a declaration only', BROKEN_DECLARATION],
    ['plain text', 'Service temporarily unavailable'],
    ['an HTML page', '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>'],
    ['a well-formed HTML page', '<html><body><p>Cloudflare</p></body></html>'],
    ['a body cut inside an element', `<result><imeis><id>1</id><imei>${IMEI_A}</imei><sta`],
    ['a body cut between elements', `<result><imeis><id>1</id><imei>${IMEI_A}</imei></imeis>`],
    ['mismatched tags', '<result><imeis><id>1</id></result>'],
    ['JSON', '{"error":"Invalid"}'],
  ];

  it.each(unreadable)('throws ReplyParseError for %s (placeorder)', (_name, body) => {
    expect(() => parsePlaceOrder(body, [IMEI_A])).toThrow(ReplyParseError);
  });

  it.each(unreadable)('throws ReplyParseError for %s (getimeis and catalogue)', (_name, body) => {
    expect(() => parseOrders(body)).toThrow(ReplyParseError);
    expect(() => parseCatalogue(body)).toThrow(ReplyParseError);
  });

  it('rejects an unexpected root element', () => {
    expect(() => parsePlaceOrder('<Packages></Packages>', [IMEI_A])).toThrow(ReplyParseError);
    expect(() => parseCatalogue('<orders><order/></orders>')).toThrow(ReplyParseError);
  });
});

describe('error replies', () => {
  it.each([
    ['<error>Invalid API Key!</error>', 'Invalid API Key!'],
    [`${BROKEN_DECLARATION}<error>Invalid User!</error>`, 'Invalid User!'],
    ['<result><error>Invalid Network ID</error></result>', 'Invalid Network ID'],
    ['<error/>', ''],
  ])('reads %j as a refusal', (body, message) => {
    for (const parse of [parseOrders, parseCatalogue, (text: string) => parsePlaceOrder(text, [IMEI_A, IMEI_B])]) {
      expect(() => parse(body)).toThrow(ProviderRefusal);
    }
    expect(refusalMessageOf(body)).toBe(message);
  });

  it('finds no refusal in a normal or unreadable body', () => {
    expect(refusalMessageOf('<result></result>')).toBeUndefined();
    expect(refusalMessageOf('<html><body>403</body></html>')).toBeUndefined();
    expect(refusalMessageOf('')).toBeUndefined();
  });
});

describe('replies the parser will not build', () => {
  it('are unreadable replies, not crashes: nesting past 100 tags, a tag named __proto__', () => {
    const deep = `${'<a>'.repeat(120)}x${'</a>'.repeat(120)}`;
    expect(() => parsePlaceOrder(`<result>${deep}</result>`, ['353979106673567'])).toThrow(ReplyParseError);
    expect(() => parseOrders('<result><__proto__>x</__proto__></result>')).toThrow(ReplyParseError);
  });
});
