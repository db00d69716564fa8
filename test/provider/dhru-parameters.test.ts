import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64JsonParameters, escapeXmlText, singleParameters, xmlParameters } from '../../src/provider/dhru/parameters.js';
import { dhruEndpointPath } from '../../src/provider/dhru/transport.js';
import { readBulkParameters, readSingleParameters } from '../../src/simulator/dhru/params.js';

describe('XML parameters', () => {
  it('upper-cases names as the vendor kit does', () => {
    expect(xmlParameters({ id: '1739', Imei: '353370080089458' })).toBe('<PARAMETERS><ID>1739</ID><IMEI>353370080089458</IMEI></PARAMETERS>');
  });

  it('escapes &, < and > in values', () => {
    expect(escapeXmlText('AT&T <b> & >')).toBe('AT&amp;T &lt;b&gt; &amp; &gt;');
    expect(xmlParameters({ ID: '1', IMEI: 'a<b>&c' })).toBe('<PARAMETERS><ID>1</ID><IMEI>a&lt;b&gt;&amp;c</IMEI></PARAMETERS>');
  });

  it('refuses a name that is not an element name rather than send broken XML', () => {
    expect(() => xmlParameters({ 'a b': '1' })).toThrow('not an XML element name');
  });

  it('property: any value goes to the server and comes back as sent', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, imei) => {
        const sent = singleParameters('xml', { ID: id, IMEI: imei });
        const received = readSingleParameters(new URLSearchParams(new URLSearchParams({ parameters: sent }).toString()).get('parameters') ?? '', 'both');
        expect(received?.get('ID')).toBe(id);
        expect(received?.get('IMEI')).toBe(imei);
      }),
    );
  });
});

describe('base64 JSON parameters', () => {
  it('is base64 of the JSON text', () => {
    const encoded = base64JsonParameters({ ID: '1739', IMEI: '353370080089458' });
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe('{"ID":"1739","IMEI":"353370080089458"}');
  });

  it('a `+` sent bare arrives as a space and the server reads garbage: form encoding keeps it', () => {
    // ">>>" encodes to "Pj4+": the `+` is certain.
    const encoded = base64JsonParameters({ ID: '1', IMEI: '>>>' });
    expect(encoded).toContain('+');
    const bare = `parameters=${encoded}`;
    expect(readSingleParameters(new URLSearchParams(bare).get('parameters') ?? '', 'both')?.get('IMEI')).not.toBe('>>>');
    const formEncoded = new URLSearchParams({ parameters: encoded }).toString();
    expect(formEncoded).toContain('%2B');
    expect(readSingleParameters(new URLSearchParams(formEncoded).get('parameters') ?? '', 'both')?.get('IMEI')).toBe('>>>');
  });

  it('property: base64 with +, / and = survives form encoding, for single and bulk rows', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).map((key) => `r${key}`), fc.string({ unit: 'binary' })), (rows) => {
        const payload = Object.fromEntries(Object.entries(rows).map(([reference, imei]) => [reference, { ID: '1739', IMEI: imei }]));
        const wire = new URLSearchParams({ parameters: base64JsonParameters(payload) }).toString();
        const back = readBulkParameters(new URLSearchParams(wire).get('parameters') ?? undefined) ?? [];
        expect(Object.fromEntries(back.map(([reference, fields]) => [reference, fields.get('IMEI')]))).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the endpoint', () => {
  it.each([
    ['https://site.example', 'https://site.example', '/api/index.php'],
    ['https://site.example/', 'https://site.example', '/api/index.php'],
    ['https://site.example/public', 'https://site.example', '/public/api/index.php'],
    ['https://site.example/public//', 'https://site.example', '/public/api/index.php'],
    ['https://site.example/api/index.php', 'https://site.example', '/api/index.php'],
    ['https://site.example/public/api/index.php/', 'https://site.example', '/public/api/index.php'],
    ['http://127.0.0.1:8080//shop///api/INDEX.php', 'http://127.0.0.1:8080', '/shop/api/index.php'],
  ])('%s -> %s%s', (base, origin, path) => {
    expect(dhruEndpointPath(base)).toEqual({ origin, path });
  });

  it('refuses a base with credentials or a query, as for GSM Fusion', () => {
    expect(() => dhruEndpointPath('https://user:key@site.example')).toThrow('must not hold credentials');
    expect(() => dhruEndpointPath('https://site.example/?apiaccesskey=x')).toThrow('must not hold credentials');
  });
});
