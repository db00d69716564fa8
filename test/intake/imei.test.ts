import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkImei, isValidImei, looksLikeImei, luhnCheckDigit } from '../../src/intake/imei.js';

const VALID = '490154203237518';

describe('checkImei accepts and normalises', () => {
  it.each([
    ['plain', '490154203237518', '490154203237518'],
    ['surrounding spaces', '  490154203237518\t', '490154203237518'],
    ['spaces between groups', '49 015420 323751 8', '490154203237518'],
    ['dashes between groups', '49-015420-323751-8', '490154203237518'],
    ['Unicode dashes and no-break spaces', '49\u2013015420\u00a0323751\u20118', '490154203237518'],
    ['Excel formula wrapper', '="356938035643809"', '356938035643809'],
    ['Excel text mark', "'356938035643809", '356938035643809'],
    ['surviving quotes', '"352099001761481"', '352099001761481'],
    ['a leading zero kept', '012345678901237', '012345678901237'],
    ['float export with every digit', '867520034786532.0', '867520034786532'],
    ['full-precision scientific notation', '8.67520034786532E+14', '867520034786532'],
    ['full-precision scientific notation, decimal comma', '8,67520034786532e14', '867520034786532'],
  ])('%s', (_name, raw, imei) => {
    expect(checkImei(raw)).toEqual({ ok: true, imei });
  });
});

describe('checkImei refuses with a plain reason', () => {
  it.each([
    ['empty', '', 'empty IMEI'],
    ['only spaces', '   ', 'empty IMEI'],
    ['empty Excel wrapper', '=""', 'empty IMEI'],
    ['a lone dash', '-', 'empty IMEI'],
    ['wrong check digit', '490154203237519', 'wrong check digit (expected 8)'],
    ['14 digits', '49015420323751', '14 digits: an IMEI without its check digit, or a MEID'],
    ['16 digits', '4901542032375180', '16 digits: an IMEISV, not an IMEI'],
    ['9 digits', '490154203', 'too short (9 digits)'],
    ['1 digit', '7', 'too short (1 digit)'],
    ['17 digits', '49015420323751800', 'too long (17 digits)'],
    ['30 digits that are two IMEIs', `${VALID} 356938035643809`, '30 digits: two IMEIs in one cell; put each on its own row'],
    ['letters', '49015420323751O', 'contains letters'],
    ['a placeholder', 'N/A', 'contains letters'],
    ['a MEID in hex', 'A1000012345678', '14 hex digits: a MEID, not an IMEI'],
    ['a slash', '490154/203237518', 'contains "/": an IMEI is digits only'],
    ['dots between groups', '49.015420.323751.8', 'contains ".": an IMEI is digits only'],
  ])('%s', (_name, raw, reason) => {
    expect(checkImei(raw)).toEqual({ ok: false, reason });
  });

  it.each(['3.5337E+14', '3,53370E+14', '3.53370e+14', ' 3.5337E+14 ', '3.53370080089451E+13'])(
    'scientific notation that lost digits: %s',
    (raw) => {
      expect(checkImei(raw)).toEqual({
        ok: false,
        reason: `Excel changed this value to scientific notation (${raw.trim()}); the original digits are lost: export the column as text`,
      });
    },
  );

  it('hints at Excel rounding when a failing IMEI ends in several zeros', () => {
    expect(checkImei('353380000000000')).toEqual({
      ok: false,
      reason:
        'wrong check digit (expected 9); the trailing zeros suggest Excel rounded the number and dropped digits: export the column as text',
    });
  });

  it('gives no rounding hint for a few trailing zeros', () => {
    expect(checkImei('353370080089000')).toEqual({ ok: false, reason: 'wrong check digit (expected 6)' });
  });
});

describe('luhnCheckDigit', () => {
  it('matches known IMEIs', () => {
    expect(luhnCheckDigit('49015420323751')).toBe(8);
    expect(luhnCheckDigit('35693803564380')).toBe(9);
    expect(luhnCheckDigit('00000000000000')).toBe(0);
  });

  it('refuses anything but 14 digits', () => {
    expect(() => luhnCheckDigit('1234')).toThrow(RangeError);
    expect(() => luhnCheckDigit('4901542032375a')).toThrow(RangeError);
  });

  const body = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 14, maxLength: 14 });

  it('completes every 14-digit body into a valid IMEI', () => {
    fc.assert(
      fc.property(body, (digits) => {
        const imei = `${digits}${luhnCheckDigit(digits)}`;
        expect(isValidImei(imei)).toBe(true);
        expect(checkImei(imei)).toEqual({ ok: true, imei });
      }),
    );
  });

  it('catches every single-digit change', () => {
    fc.assert(
      fc.property(body, fc.nat({ max: 14 }), fc.integer({ min: 1, max: 9 }), (digits, position, shift) => {
        const imei = `${digits}${luhnCheckDigit(digits)}`;
        const changed = (Number(imei[position]) + shift) % 10;
        const broken = `${imei.slice(0, position)}${changed}${imei.slice(position + 1)}`;
        expect(isValidImei(broken)).toBe(false);
        expect(checkImei(broken).ok).toBe(false);
      }),
    );
  });
});

describe('looksLikeImei', () => {
  it.each(['490154203237518', '12345', '="12345"', '3.5337E+14', '35-337008', "'0012345"])('yes: %s', (raw) => {
    expect(looksLikeImei(raw)).toBe(true);
  });

  it.each(['', '1234', '12.50', 'Widget', 'name', 'Dear team', '1'])('no: %s', (raw) => {
    expect(looksLikeImei(raw)).toBe(false);
  });
});
