import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  completeEntries,
  entriesOf,
  errorText,
  field,
  firstRecord,
  quoteNumbers,
  readJsonObject,
  textOf,
  valuesOf,
} from '../../src/provider/dhru/json-reply.js';

function parsed(body: string): Record<string, unknown> {
  const read = readJsonObject(body);
  if (!read.ok) throw new Error(read.problem);
  return read.value;
}

describe('readJsonObject', () => {
  it('keeps every number as the text the server wrote: ids beyond 2^53, prices with their zeros', () => {
    expect(parsed('{"REFERENCEID":12345678901234567890,"CREDIT":45.00,"STATUS":4,"NEG":-1.5e3}')).toEqual({
      REFERENCEID: '12345678901234567890',
      CREDIT: '45.00',
      STATUS: '4',
      NEG: '-1.5e3',
    });
  });

  it("reads PHP's escaped slashes and \\u escapes as ordinary JSON", () => {
    expect(parsed('{"INFO":"Carrier\\/SimLock \\u00e9\\u2013","CODE":"a\\"b"}')).toEqual({ INFO: 'Carrier/SimLock é–', CODE: 'a"b' });
  });

  it('leaves digits inside strings alone, escaped quotes included', () => {
    expect(parsed('{"a":"12 \\"34\\" 5","b":[1,"2",{"c":3}]}')).toEqual({ a: '12 "34" 5', b: ['1', '2', { c: '3' }] });
  });

  it('takes a byte-order mark and PHP notices printed before the JSON', () => {
    expect(parsed('\uFEFF {"SUCCESS":[]}\n')).toEqual({ SUCCESS: [] });
    expect(parsed('<br />\n<b>Notice</b>:  Undefined index: x in <b>/api/index.php</b> on line <b>12</b><br />\n{"SUCCESS":[{"REFERENCEID":7}]}')).toEqual({
      SUCCESS: [{ REFERENCEID: '7' }],
    });
  });

  it.each([
    ['', 'the reply is empty'],
    ['   \n', 'the reply is empty'],
    ['<html><body>502 Bad Gateway</body></html>', 'the reply is not JSON'],
    ['{"SUCCESS":[{"REFERENCEID":71', 'the JSON reply is cut short or malformed'],
    ['[1,2,3]', 'the reply is not JSON'],
    ['"just text"', 'the reply is not JSON'],
  ])('refuses %j: %s', (body, problem) => {
    expect(readJsonObject(body)).toEqual({ ok: false, problem });
  });

  it('property: quoting numbers never changes a JSON document, only turns its numbers into their text', () => {
    const asText = (value: unknown): unknown => {
      if (typeof value === 'number') return JSON.stringify(value);
      if (Array.isArray(value)) return value.map(asText);
      if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v)]));
      return value;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(JSON.parse(quoteNumbers(text))).toEqual(asText(JSON.parse(text)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('reading fields', () => {
  const reply = parsed('{"SUCCESS":[{"message":"Your Accout Info","REFERENCEID":"9"}],"apiversion":"6.1"}');

  it('finds a key in any case, and scalars as text', () => {
    const success = firstRecord(reply['SUCCESS'] as never);
    expect(success && field(success, 'MESSAGE')).toBe('Your Accout Info');
    expect(textOf(true)).toBe('1');
    expect(textOf(null)).toBe('');
  });

  it('reads a PHP array written as a list or as an object keyed by ids', () => {
    expect(valuesOf(['a', 'b'])).toEqual(['a', 'b']);
    expect(valuesOf({ 7: 'a', 9: 'b' })).toEqual(['a', 'b']);
    expect(entriesOf(['a'])).toEqual([['0', 'a']]);
    expect(firstRecord({ 0: { A: '1' }, 1: { A: '2' } })).toEqual({ A: '1' });
    expect(firstRecord({ REFERENCEID: '1' })).toEqual({ REFERENCEID: '1' });
  });
});

describe('errorText', () => {
  it.each([
    [{ ERROR: [{ MESSAGE: 'Authentication Failed', FULL_DESCRIPTION: '' }] }, 'Authentication Failed'],
    [{ ERROR: [{ MESSAGE: 'Invalid IMEI tool.', FULL_DESCRIPTION: 'Service 12 is off' }] }, 'Invalid IMEI tool.: Service 12 is off'],
    [{ ERROR: [{ MESSAGE: 'Same', FULL_DESCRIPTION: 'Same' }] }, 'Same'],
    [{ ERROR: 'Invalid Action' }, 'Invalid Action'],
    [{ ERROR: { MESSAGE: 'Not enough credits' } }, 'Not enough credits'],
    [{ ERROR: [{ MESSAGE: 'one' }, 'two'] }, 'one; two'],
    [{ error: [{ message: 'lower case' }] }, 'lower case'],
    [{ ID: '12', IMEI: '3533', ERROR: [{ MESSAGE: 'Duplicate IMEI[3533]' }] }, 'Duplicate IMEI[3533]'],
  ])('reads %j', (json, text) => {
    expect(errorText(json as never)).toBe(text);
  });

  it('is undefined without ERROR, and empty for an empty one', () => {
    expect(errorText({ SUCCESS: [] })).toBeUndefined();
    expect(errorText({ ERROR: [] })).toBe('');
  });
});

describe('completeEntries: what a cut-off bulk reply still says', () => {
  const whole =
    '{"r1":{"SUCCESS":[{"MESSAGE":"Order received","REFERENCEID":41}]},' +
    '"r2":{"ERROR":[{"MESSAGE":"Duplicate IMEI[1] {x}"}]},' +
    '"r10":{"SUCCESS":[{"MESSAGE":"Order received","REFERENCEID":43}]},"apiversion":"6.1"}';

  it('keeps the entries that close before the cut, and only those', () => {
    const cut = whole.slice(0, whole.indexOf('"r10"') + 30);
    const found = completeEntries(cut, ['r1', 'r2', 'r10', 'r3']);
    expect([...found.keys()]).toEqual(['r1', 'r2']);
    expect(found.get('r2')).toEqual({ ERROR: [{ MESSAGE: 'Duplicate IMEI[1] {x}' }] });
  });

  it('tells "r1" from "r10", and reads the wrapped shape too', () => {
    expect(completeEntries(whole, ['r10']).get('r10')).toEqual({ SUCCESS: [{ MESSAGE: 'Order received', REFERENCEID: '43' }] });
    const wrapped = '{"SUCCESS":{"r1":{"status":"success","referenceid":41},"r2":{"status":"err';
    expect([...completeEntries(wrapped, ['r1', 'r2']).entries()]).toEqual([['r1', { status: 'success', referenceid: '41' }]]);
  });
});
