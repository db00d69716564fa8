/**
 * DHRU servers format a checker's CODE their own way (dhru-fusion-api.md, "Mapping onto the
 * daemon"): ` - ` as GSM Fusion, newlines, or `<br>` with HTML entities. The report's parser
 * (report/code-fields.ts, code-text.ts) must read the same columns from each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCodeFields } from '../../src/report/code-fields.js';
import { codeCellText, plainCodeText } from '../../src/report/code-text.js';

const SEPARATORS = [' - ', '\n', '\r\n', '<br>', '<br />', '<BR/>', ' <br> '] as const;

function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
}

describe('DHRU CODE formats', () => {
  it('reads CARRIER, SIMLOCK, MODEL, FMI and IMEI 2 from <br> lines with entities', () => {
    const code =
      'Model: iPhone 12 Pro Max Pacific Blue 256GB<br>IMEI Number: 353370080089458<br>IMEI2 Number: 353370080089466<br>' +
      'Carrier: AT&amp;T - Locked Policy<br />Find My iPhone: ON<br>SimLock: Locked&nbsp;<br>Note: Don&#039;t &quot;unlock&quot;';
    expect(parseCodeFields(code)).toEqual({
      model: 'iPhone 12 Pro Max Pacific Blue 256GB',
      carrier: 'AT&T - Locked Policy',
      simlock: 'Locked',
      fmi: 'ON',
      imei2: '353370080089466',
    });
    expect(codeCellText(code)).toBe(
      'Model: iPhone 12 Pro Max Pacific Blue 256GB - IMEI Number: 353370080089458 - IMEI2 Number: 353370080089466 - ' +
        'Carrier: AT&T - Locked Policy - Find My iPhone: ON - SimLock: Locked - Note: Don\'t "unlock"',
    );
  });

  it('reads newline-separated fields, and mixes of separators', () => {
    expect(parseCodeFields('Model: Galaxy S21\r\nCarrier: T-Mobile USA\nSimLock: Unlocked - Find My iPhone: OFF')).toEqual({
      model: 'Galaxy S21',
      carrier: 'T-Mobile USA',
      simlock: 'Unlocked',
      fmi: 'OFF',
      imei2: '',
    });
  });

  it('keeps a rejection reason or an unlock code whole, HTML removed', () => {
    expect(codeCellText('<span style="color:red">IMEI not found in GSX</span>')).toBe('IMEI not found in GSX');
    expect(plainCodeText('Unlock code: 12345678<br>')).toBe('Unlock code: 12345678');
    expect(parseCodeFields('Invalid_IMEI')).toEqual({ model: '', carrier: '', simlock: '', fmi: '', imei2: '' });
  });

  it('property: the same fields, whichever separator and with entities in <br> codes', () => {
    const pair = fc.tuple(
      fc.constantFrom('Model', 'Carrier', 'SimLock', 'Find My iPhone', 'IMEI2 Number', 'Serial Number', 'Warranty', 'Country'),
      fc.constantFrom('AT&T - Locked Policy', 'T-Mobile USA', 'Unlocked', 'iPhone XR (PRODUCT)RED 64GB', 'ON', "O'Neil & Sons", 'In Warranty - Until 2026-05-01'),
    );
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 8 }), fc.constantFrom(...SEPARATORS), (pairs, separator) => {
        const dash = pairs.map(([key, value]) => `${key}: ${value}`).join(' - ');
        const html = separator.includes('<');
        const other = pairs.map(([key, value]) => `${key}: ${html ? htmlEscape(value) : value}`).join(separator);
        expect(parseCodeFields(other)).toEqual(parseCodeFields(dash));
        expect(codeCellText(other)).toBe(dash);
      }),
      { numRuns: 300 },
    );
  });
});
