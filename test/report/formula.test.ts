import { describe, expect, it } from 'vitest';
import { defuseFormula, startsLikeFormula } from '../../src/report/index.js';

describe('defuseFormula', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['\uFF1D1+1', "'\uFF1D1+1"],
  ])('defuses %j', (value, expected) => {
    expect(defuseFormula(value)).toBe(expected);
    expect(startsLikeFormula(value)).toBe(true);
  });

  it.each([
    '',
    'Completed',
    '353979106673567',
    'T-Mobile USA',
    'a=b',
    ' =1',
    "'=already text",
    'Model: iPhone 11 - Carrier: AT&T',
  ])('leaves %j untouched', (value) => {
    expect(defuseFormula(value)).toBe(value);
    expect(startsLikeFormula(value)).toBe(false);
  });
});
