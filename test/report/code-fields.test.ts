import { describe, expect, it } from 'vitest';
import { codePairs, parseCodeFields, type CodeFields } from '../../src/report/index.js';

const APPLE =
  'Model: iPhone 11 Purple 64GB - IMEI Number: 353979106673567 - Serial Number: F4GZLH2XN72N - ' +
  'IMEI2 Number: 353979106589748 - MEID Number: 35397910667356 - AppleCare Eligible: OFF - ' +
  'Estimated Purchase Date: 05/12/19 - Carrier: Unlocked - Next Tether Policy: 10 - ' +
  'Current GSMA Status: Clean - Find My iPhone: ON - SimLock: Unlocked';

const SAMSUNG =
  'Model: SM-G991U Galaxy S21 5G - IMEI Number: 356789101234567 - IMEI2 Number: 356789101234575 - ' +
  'Serial Number: R58R12ABCDE - Carrier: T-Mobile USA - Country: United States - ' +
  'Warranty: Out Of Warranty - SimLock: Locked';

const NOTHING: CodeFields = { model: '', carrier: '', simlock: '', fmi: '', imei2: '' };

const cases: Array<{ name: string; code: string; expected: CodeFields }> = [
  {
    name: 'the Apple checker',
    code: APPLE,
    expected: {
      model: 'iPhone 11 Purple 64GB',
      carrier: 'Unlocked',
      simlock: 'Unlocked',
      fmi: 'ON',
      imei2: '353979106589748',
    },
  },
  {
    name: 'a Samsung info check (dashes inside model and carrier)',
    code: SAMSUNG,
    expected: {
      model: 'SM-G991U Galaxy S21 5G',
      carrier: 'T-Mobile USA',
      simlock: 'Locked',
      fmi: '',
      imei2: '356789101234575',
    },
  },
  { name: 'a free-text unlock code', code: 'Unlock code: 12345678', expected: NOTHING },
  { name: 'a bare unlock code', code: '12345678', expected: NOTHING },
  { name: 'a rejection reason', code: 'Invalid_IMEI', expected: NOTHING },
  { name: 'a rejection sentence', code: 'IMEI is not valid - please check and resubmit', expected: NOTHING },
  { name: 'empty', code: '', expected: NOTHING },
  {
    name: 'a value containing " - "',
    code: 'Model: iPhone 8 - Carrier: AT&T - Locked Policy - SimLock: Locked',
    expected: { ...NOTHING, model: 'iPhone 8', carrier: 'AT&T - Locked Policy', simlock: 'Locked' },
  },
  {
    name: 'a value containing " - " at the end',
    code: 'SimLock: Locked - Carrier: US AT&T - Locked Policy',
    expected: { ...NOTHING, carrier: 'US AT&T - Locked Policy', simlock: 'Locked' },
  },
  {
    name: 'keys in another order and another case',
    code: 'SIMLOCK: Locked - find my iphone: OFF - CARRIER: Verizon - imei2 number: 990000862471854 - MODEL: iPhone XR',
    expected: {
      model: 'iPhone XR',
      carrier: 'Verizon',
      simlock: 'Locked',
      fmi: 'OFF',
      imei2: '990000862471854',
    },
  },
  {
    name: '<br> separated, with HTML in values',
    code:
      'Model: iPhone 12<br>Carrier: <span style="color:red">T-Mobile USA</span><br/>' +
      'Find My iPhone: <font color="green">OFF</font><BR />SimLock: Locked<br>IMEI2 Number: 356789101234575',
    expected: {
      model: 'iPhone 12',
      carrier: 'T-Mobile USA',
      simlock: 'Locked',
      fmi: 'OFF',
      imei2: '356789101234575',
    },
  },
  {
    name: 'newline separated, with bold keys and an entity',
    code: '<b>Model:</b> iPhone 7\r\n<b>Carrier:</b> AT&amp;T\nSim Lock: Locked',
    expected: { ...NOTHING, model: 'iPhone 7', carrier: 'AT&T', simlock: 'Locked' },
  },
  {
    name: 'missing keys',
    code: 'Model: iPhone 6s - IMEI Number: 353979106673567',
    expected: { ...NOTHING, model: 'iPhone 6s' },
  },
  {
    name: 'aliases',
    code: 'Model Description: IPHONE X SILVER 256GB - Locked Carrier: EE UK - SIM Lock Status: Locked - FMI Status: ON - IMEI 2: 356789101234575',
    expected: {
      model: 'IPHONE X SILVER 256GB',
      carrier: 'EE UK',
      simlock: 'Locked',
      fmi: 'ON',
      imei2: '356789101234575',
    },
  },
  {
    name: 'first non-empty value wins',
    code: 'Model: - Device: Galaxy A52 - Model Name: SM-A525F - Network: Vodafone - Lock Status: Unlocked - FMI: OFF - IMEI2: 1',
    expected: { model: 'Galaxy A52', carrier: 'Vodafone', simlock: 'Unlocked', fmi: 'OFF', imei2: '1' },
  },
  {
    name: 'a URL value and a time are not split',
    code: 'Model: iPhone 11 - Purchase Date: 2019-05-12 12:30:00 - Info: https://example.com/a - Carrier: O2',
    expected: { ...NOTHING, model: 'iPhone 11', carrier: 'O2' },
  },
  {
    name: 'spaces around the colon and a stray trailing dash',
    code: 'Model : iPhone 11 - Carrier :  Sprint -',
    expected: { ...NOTHING, model: 'iPhone 11', carrier: 'Sprint' },
  },
];

describe('parseCodeFields', () => {
  it.each(cases)('$name', ({ code, expected }) => {
    expect(parseCodeFields(code)).toEqual(expected);
  });
});

describe('codePairs', () => {
  it('keeps every pair of the Apple checker in order, unknown keys included', () => {
    expect(codePairs(APPLE).map((pair) => pair.key)).toEqual([
      'Model',
      'IMEI Number',
      'Serial Number',
      'IMEI2 Number',
      'MEID Number',
      'AppleCare Eligible',
      'Estimated Purchase Date',
      'Carrier',
      'Next Tether Policy',
      'Current GSMA Status',
      'Find My iPhone',
      'SimLock',
    ]);
  });

  it('leaves text before the first key out', () => {
    expect(codePairs('Result OK - Model: iPhone 11')).toEqual([{ key: 'Model', value: 'iPhone 11' }]);
  });
});
