import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeFieldsOfPlainText } from '../../src/report/code-fields.js';
import { codeCellOfPlainText } from '../../src/report/code-text.js';
import { codeCellText, codePairs, parseCodeFields, plainCodeText } from '../../src/report/index.js';
import {
  referenceCodeCellText,
  referenceCodePairs,
  referenceParseCodeFields,
  referencePlainCodeText,
} from './code-parsing-reference.js';
import { COMPLETED_CODES, REJECTED_CODES } from './rich-store-texts.js';

/**
 * Codes built from the pieces the parser reacts to: keys and colons, ` - ` separators, dashes at
 * either end of a value, runs of spaces and tabs, every kind of line break and white space,
 * tags and entities (known, unknown, numeric), so that the fast paths meet every slow case.
 */
const codePiece = fc.constantFrom(
  'Model', 'Carrier', 'SimLock', 'Sim Lock', 'Find My iPhone', 'FMI', 'IMEI2 Number', 'Network', 'Device',
  'Serial Number', 'http', 'AT&T', 'T-Mobile USA', 'iPhone 12', 'Locked', 'ON',
  ':', ': ', ' : ', ' - ', '-', '--', ' -', '- ', ' ', '  ', '\t', '\r', '\n', '\r\n', '\u00A0', '\u2028', '\u3000',
  '\v', '\f', '\uFEFF', '<br>', '<br/>', '<b>', '</b>', '<p class="x">', '<64GB', '&amp;', '&lt;', '&nbsp;', '&#61;',
  '&#x3D;', '&#0;', '&bogus;', '&', ';', '"', ',', '=', '\uD83D\uDE00', '\u00DC', '(', ')', '/', '.', "'", '#', '+', '1',
);
const code = fc.oneof(
  fc.array(codePiece, { maxLength: 24 }).map((pieces) => pieces.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(...COMPLETED_CODES, ...REJECTED_CODES),
);

describe('code parsing fast paths', () => {
  it('plainCodeText and codeCellText give what they gave before', () => {
    fc.assert(
      fc.property(code, (text) => {
        expect(plainCodeText(text)).toBe(referencePlainCodeText(text));
        expect(codeCellText(text)).toBe(referenceCodeCellText(text));
        expect(codeCellOfPlainText(plainCodeText(text))).toBe(referenceCodeCellText(text));
      }),
      { numRuns: 5_000, seed: 20260304 },
    );
  });

  it('parseCodeFields and codePairs give what they gave before', () => {
    fc.assert(
      fc.property(code, (text) => {
        expect(parseCodeFields(text)).toEqual(referenceParseCodeFields(text));
        expect(codeFieldsOfPlainText(plainCodeText(text))).toEqual(referenceParseCodeFields(text));
        expect(codePairs(text)).toEqual(referenceCodePairs(text));
      }),
      { numRuns: 5_000, seed: 20260305 },
    );
  });
});
