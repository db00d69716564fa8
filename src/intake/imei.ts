/**
 * IMEI normalisation and validation (gsmfusion-api.md, "IMEI facts"). Pure: no I/O.
 *
 * Normalisation removes only what cannot change which device is meant: surrounding whitespace,
 * Excel's `="..."` wrapper and leading `'`, and spaces and dashes anywhere (people group the digits
 * as `35-337008-008945-8` or `35 337008 008945 8`). Dots are NOT separators: a dot means the value
 * went through a number format, so the only dotted forms accepted are the two that provably keep
 * every digit: `353370080089451.0` (a float export) and full-precision scientific notation such as
 * `3.53370080089451E+14`. Excel's usual `3.53370E+14` has lost digits and is reported, never
 * repaired. Whatever is accepted must still be 15 digits with a correct Luhn check digit.
 */
import { unwrapCell } from './cell.js';

export type ImeiCheck = { ok: true; imei: string } | { ok: false; reason: string };

/** Whitespace and invisible characters anywhere in the value. */
const SPACES = /[\s\u200b-\u200d\u2060]/g;
/** Hyphen-minus and the Unicode dashes that word processors substitute for it. */
const DASHES = /[-\u2010-\u2015\u2212]/g;
/** A number in scientific notation, either decimal separator: `3.5337E+14`, `3,53370E+14`. */
const SCIENTIFIC = /^\+?(\d+)(?:[.,](\d+))?e([+-]?\d+)$/i;
/** A whole number written as a float: `353370080089451.0`. */
const FLOAT_WHOLE = /^(\d+)[.,]0+$/;
/** A MEID in its usual hexadecimal form; 14 hex digits with at least one letter. */
const MEID_HEX = /^(?=.*[a-f])[0-9a-f]{14}$/i;
const LETTER = /\p{L}/u;
const NON_DIGIT = /\D/;
/** A 15-digit value failing Luhn with this many trailing zeros smells of Excel's rounding. */
const ROUNDING_HINT_ZEROS = /0{4}$/;
const IMEI_LENGTH = 15;
/** Already normalised: the common case, checked without the normalisation steps. */
const PLAIN_IMEI = /^\d{15}$/;

/** The Luhn check digit of an IMEI body: every second digit from the right of the 14 doubled. */
export function luhnCheckDigit(first14: string): number {
  if (!/^\d{14}$/.test(first14)) {
    throw new RangeError(`luhnCheckDigit needs exactly 14 digits, got ${JSON.stringify(first14)}`);
  }
  let sum = 0;
  for (let index = 0; index < 14; index += 1) {
    let digit = first14.charCodeAt(index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `digits` is 15 digits whose last one is the Luhn check digit of the first 14. */
export function isValidImei(digits: string): boolean {
  return /^\d{15}$/.test(digits) && luhnCheckDigit(digits.slice(0, 14)) === Number(digits[14]);
}

/** Normalises and validates one IMEI cell; the reason, when refused, is one plain sentence. */
export function checkImei(raw: string): ImeiCheck {
  if (PLAIN_IMEI.test(raw)) return checkDigits(raw);
  const text = unwrapCell(raw);
  if (text === '') return invalid('empty IMEI');
  const spaceless = text.replace(SPACES, '');

  const scientific = SCIENTIFIC.exec(spaceless);
  if (scientific !== null) {
    const exact = exactScientificDigits(scientific);
    if (exact === null) {
      return invalid(
        `Excel changed this value to scientific notation (${text}); the original digits are lost: export the column as text`,
      );
    }
    return checkDigits(exact);
  }
  const floatWhole = FLOAT_WHOLE.exec(spaceless);
  if (floatWhole !== null) return checkDigits(floatWhole[1] ?? '');

  const compact = spaceless.replace(DASHES, '');
  if (compact === '') return invalid('empty IMEI');
  if (MEID_HEX.test(compact)) return invalid('14 hex digits: a MEID, not an IMEI');
  if (LETTER.test(compact)) return invalid('contains letters');
  const stray = NON_DIGIT.exec(compact);
  if (stray !== null) return invalid(`contains ${JSON.stringify(stray[0])}: an IMEI is digits only`);
  return checkDigits(compact);
}

/**
 * True when a cell could plausibly be meant as an IMEI, right or wrong: 5 or more digits after
 * normalisation, or a number Excel turned into scientific notation. Used to tell a headerless
 * IMEI list (even one full of typos like `12345`) from prose or a price list.
 */
export function looksLikeImei(raw: string): boolean {
  const spaceless = unwrapCell(raw).replace(SPACES, '');
  if (SCIENTIFIC.test(spaceless)) return true;
  const floatWhole = FLOAT_WHOLE.exec(spaceless);
  const compact = floatWhole !== null ? (floatWhole[1] ?? '') : spaceless.replace(DASHES, '');
  return /^\d{5,}$/.test(compact);
}

/** Length and check-digit verdict on a string of digits only. */
function checkDigits(digits: string): ImeiCheck {
  const count = digits.length;
  if (count === IMEI_LENGTH) {
    const expected = luhnCheckDigit(digits.slice(0, 14));
    if (expected === Number(digits[14])) return { ok: true, imei: digits };
    if (ROUNDING_HINT_ZEROS.test(digits)) {
      return invalid(
        `wrong check digit (expected ${expected}); the trailing zeros suggest Excel rounded the number and dropped digits: export the column as text`,
      );
    }
    return invalid(`wrong check digit (expected ${expected})`);
  }
  if (count === 14) return invalid('14 digits: an IMEI without its check digit, or a MEID');
  if (count === 16) return invalid('16 digits: an IMEISV, not an IMEI');
  if (count === 2 * IMEI_LENGTH && isValidImei(digits.slice(0, 15)) && isValidImei(digits.slice(15))) {
    return invalid('30 digits: two IMEIs in one cell; put each on its own row');
  }
  if (count < IMEI_LENGTH) return invalid(`too short (${count} ${count === 1 ? 'digit' : 'digits'})`);
  return invalid(`too long (${count} digits)`);
}

/**
 * The integer a scientific-notation value stands for, only when every digit is present in the
 * mantissa (as many decimals as the exponent). Fewer decimals would need zero padding, and
 * padded zeros cannot be told apart from digits Excel rounded away, so that case returns null.
 */
function exactScientificDigits(match: RegExpExecArray): string | null {
  const whole = match[1] ?? '';
  const decimals = match[2] ?? '';
  const exponent = Number(match[3]);
  if (exponent < 1 || decimals.length !== exponent) return null;
  return (whole + decimals).replace(/^0+(?=\d)/, '');
}

function invalid(reason: string): ImeiCheck {
  return { ok: false, reason };
}
