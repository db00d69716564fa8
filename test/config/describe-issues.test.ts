import { describe, expect, it } from 'vitest';
import { closestKey, describeConfigIssues } from '../../src/config/describe-issues.js';

const known = { submission: { batchSize: 100, concurrency: 10 }, alerts: { threshold: 0.8, smtp: { host: '' } } };

describe('describing a bad configuration', () => {
  it('names every issue on one line, a misspelt key with the one it was meant to be', () => {
    const text = describeConfigIssues(
      [
        { code: 'unrecognized_keys', path: ['submission'], keys: ['batch_size', 'colour'], message: '' },
        { code: 'unrecognized_keys', path: [], keys: ['alert'], message: '' },
        { code: 'too_small', path: ['submission', 'concurrency'], message: 'Too small: expected number to be >=1' },
      ],
      known,
    );
    expect(text).toBe(
      'submission.batch_size: unknown key (did you mean submission.batchSize?); submission.colour: unknown key; ' +
        'alert: unknown key (did you mean alerts?); submission.concurrency: Too small: expected number to be >=1',
    );
  });

  it.each([
    ['BatchSize', 'batchSize'],
    ['batchsiez', 'batchSize'],
    ['concurency', 'concurrency'],
    ['size', undefined],
  ])('%s -> %s', (key, meant) => {
    expect(closestKey(key, ['batchSize', 'concurrency'])).toBe(meant);
  });
});
