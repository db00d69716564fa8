import { describe, expect, it } from 'vitest';
import {
  buildResultCode,
  finalOutcomeFor,
  hasValidCheckDigit,
  luhnCheckDigit,
  SIMULATED_CATALOGUE,
} from '../../src/simulator/index.js';
import { badCheckDigitImei, validImei } from './helpers.js';

/** `Key: Value - Key: Value` split by the keys we expect, in order. */
function fieldsOf(code: string, keys: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  keys.forEach((key, index) => {
    const start = code.indexOf(`${key}: `);
    expect(start, `${key} in ${code}`).toBeGreaterThanOrEqual(0);
    const next = keys[index + 1];
    const end = next === undefined ? code.length : code.indexOf(` - ${next}: `, start);
    fields.set(key, code.slice(start + key.length + 2, end));
  });
  return fields;
}

const APPLE_KEYS = [
  'Model', 'IMEI Number', 'Serial Number', 'IMEI2 Number', 'MEID Number', 'AppleCare Eligible',
  'Estimated Purchase Date', 'Carrier', 'Next Tether Policy', 'Current GSMA Status', 'Find My iPhone', 'SimLock',
];
const SAMSUNG_KEYS = [
  'Model', 'IMEI Number', 'IMEI2 Number', 'Serial Number', 'Carrier', 'Country', 'Production Date', 'Warranty', 'SimLock',
];
const SAMPLE = Array.from({ length: 200 }, (_, n) => validImei(1000 + n));

describe('Luhn', () => {
  it('checks the IMEIs quoted in the API notes', () => {
    for (const imei of ['353979106673567', '353979106589748']) expect(hasValidCheckDigit(imei)).toBe(true);
    // The placeorder example of the API notes has a wrong check digit: its Luhn digit is 1.
    expect(hasValidCheckDigit('353370080089458')).toBe(false);
    expect(luhnCheckDigit('35337008008945')).toBe(1);
    expect(hasValidCheckDigit('353370080089451')).toBe(true);
    expect(hasValidCheckDigit('35337008008945')).toBe(false);
  });
});

describe('buildResultCode', () => {
  it('is deterministic for the same service and IMEI', () => {
    expect(buildResultCode('1739', SAMPLE[0]!)).toBe(buildResultCode('1739', SAMPLE[0]!));
    expect(buildResultCode('1739', SAMPLE[0]!)).not.toBe(buildResultCode('1739', SAMPLE[1]!));
  });

  it('gives the Apple checker every key, a valid second IMEI of the same model and the MEID from the IMEI', () => {
    for (const imei of SAMPLE) {
      const fields = fieldsOf(buildResultCode('1739', imei), APPLE_KEYS);
      expect(fields.get('Model')).toMatch(/^iPhone /);
      expect(fields.get('IMEI Number')).toBe(imei);
      expect(fields.get('Serial Number')).toMatch(/^[A-Z0-9]{12}$/);
      const imei2 = fields.get('IMEI2 Number')!;
      expect(hasValidCheckDigit(imei2)).toBe(true);
      expect(imei2).not.toBe(imei);
      expect(imei2.slice(0, 8)).toBe(imei.slice(0, 8));
      expect(fields.get('MEID Number')).toBe(imei.slice(0, 14));
      expect(fields.get('Estimated Purchase Date')).toMatch(/^\d{2}\/\d{2}\/\d{2}$/);
      expect(['ON', 'OFF']).toContain(fields.get('Find My iPhone'));
      expect(['Locked', 'Unlocked']).toContain(fields.get('SimLock'));
    }
  });

  it('varies carriers, FMI and SimLock across IMEIs, including values with dashes', () => {
    const carriers = new Set<string>();
    const fmi = new Set<string>();
    const simLock = new Set<string>();
    for (const imei of SAMPLE) {
      const fields = fieldsOf(buildResultCode('1739', imei), APPLE_KEYS);
      carriers.add(fields.get('Carrier')!);
      fmi.add(fields.get('Find My iPhone')!);
      simLock.add(fields.get('SimLock')!);
    }
    expect(carriers).toContain('Unlocked');
    expect(carriers).toContain('T-Mobile USA');
    expect([...carriers].some((carrier) => carrier.includes(' - '))).toBe(true);
    expect(fmi).toEqual(new Set(['ON', 'OFF']));
    expect(simLock).toEqual(new Set(['Locked', 'Unlocked']));
  });

  it('gives the Samsung checker Samsung keys', () => {
    for (const imei of SAMPLE.slice(0, 50)) {
      const fields = fieldsOf(buildResultCode('269', imei), SAMSUNG_KEYS);
      expect(fields.get('Model')).toMatch(/^SM-\w+ Galaxy /);
      expect(fields.get('IMEI Number')).toBe(imei);
      expect(hasValidCheckDigit(fields.get('IMEI2 Number')!)).toBe(true);
    }
  });

  it('gives unlock services free text', () => {
    const texts = SAMPLE.slice(0, 50).map((imei) => buildResultCode('1001', imei));
    expect(texts.some((text) => /^Unlock code: \d{8}$/.test(text))).toBe(true);
    expect(texts.some((text) => text.startsWith('Unlocked successfully via whitelist'))).toBe(true);
    expect(buildResultCode('2001', SAMPLE[0]!)).toMatch(/\d{8}/);
  });

  it('has a code shape for every service of the catalogue', () => {
    for (const service of SIMULATED_CATALOGUE) expect(buildResultCode(service.id, SAMPLE[0]!)).not.toBe('');
  });
});

describe('finalOutcomeFor', () => {
  it('rejects a wrong check digit with Invalid_IMEI and completes the rest', () => {
    expect(finalOutcomeFor('1739', badCheckDigitImei(1))).toEqual({ status: 'Rejected', code: 'Invalid_IMEI' });
    expect(finalOutcomeFor('1739', SAMPLE[0]!)).toEqual({ status: 'Completed', code: buildResultCode('1739', SAMPLE[0]!) });
  });
});
