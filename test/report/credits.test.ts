import { describe, expect, it } from 'vitest';
import { formatCredits } from '../../src/report/index.js';

describe('formatCredits', () => {
  it.each([
    ['0.08', '$0.08'],
    ['35', '$35.00'],
    ['35.00', '$35.00'],
    ['$1.50', '$1.50'],
    ['$ 2', '$2.00'],
    ['', ''],
    ['   ', ''],
    [' 0.5 ', '$0.50'],
    ['.5', '$0.50'],
    ['007.10', '$7.10'],
    ['0.0800', '$0.08'],
    ['0.085', '$0.085'],
    ['1,234.5', '$1234.50'],
    ['Free', 'Free'],
    ['€3.00', '€3.00'],
    ['-1', '-1'],
    ['$', '$'],
  ])('%j -> %j', (price, expected) => {
    expect(formatCredits(price)).toBe(expected);
  });
});
