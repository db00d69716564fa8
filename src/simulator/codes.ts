/**
 * The result text (`code`) of finished orders: deterministic from the IMEI, shaped like the live
 * server's `Key: Value - Key: Value` lines, with values that contain `-` and ` - ` on purpose.
 * Pure: other tests use it to know what the simulator will answer.
 */
import { findService, type ResultKind } from './catalogue.js';
import { hasValidCheckDigit, withCheckDigit } from './imei.js';
import { intBetween, mulberry32, pick, randomString, seedFromText, type RandomSource } from './random.js';

export interface FinalOutcome {
  status: 'Completed' | 'Rejected';
  code: string;
}

/** The `code` of a rejected order whose IMEI fails its Luhn check. */
export const INVALID_IMEI_CODE = 'Invalid_IMEI';

const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

const APPLE_MODELS = [
  'iPhone 11 Purple 64GB',
  'iPhone 12 Pro Max Pacific Blue 256GB',
  'iPhone 13 Midnight 128GB',
  'iPhone XR (PRODUCT)RED 64GB',
  'iPhone 14 Pro Deep Purple 512GB',
  'iPhone SE (2nd Gen) White 64GB',
  'iPhone 15 Pro Natural Titanium 256GB',
  'iPhone 8 Plus Space Gray 64GB',
] as const;

interface AppleCarrier {
  carrier: string;
  tetherPolicy: number;
  simLock: 'Locked' | 'Unlocked';
}

const APPLE_CARRIERS: readonly AppleCarrier[] = [
  { carrier: 'Unlocked', tetherPolicy: 10, simLock: 'Unlocked' },
  { carrier: 'T-Mobile USA', tetherPolicy: 2, simLock: 'Locked' },
  { carrier: 'AT&T - Locked Policy', tetherPolicy: 23, simLock: 'Locked' },
  { carrier: 'Verizon - Unlock Policy', tetherPolicy: 2031, simLock: 'Unlocked' },
  { carrier: 'US Reseller Flex Policy', tetherPolicy: 2159, simLock: 'Unlocked' },
  { carrier: 'Sprint/T-Mobile - Locked', tetherPolicy: 2109, simLock: 'Locked' },
  { carrier: 'UK Vodafone - Locked Activation', tetherPolicy: 45, simLock: 'Locked' },
];

const GSMA_STATUSES = ['Clean', 'Clean', 'Clean', 'Clean', 'Blacklisted', 'Barred - Lost or Stolen'] as const;

const SAMSUNG_MODELS = [
  'SM-G991U Galaxy S21 5G',
  'SM-S918B Galaxy S23 Ultra',
  'SM-A536U Galaxy A53 5G',
  'SM-N986U Galaxy Note20 Ultra 5G',
  'SM-F936U1 Galaxy Z Fold4',
] as const;

interface SamsungCarrier {
  carrier: string;
  country: string;
  simLock: 'Locked' | 'Unlocked';
}

const SAMSUNG_CARRIERS: readonly SamsungCarrier[] = [
  { carrier: 'T-Mobile USA', country: 'United States', simLock: 'Locked' },
  { carrier: 'AT&T', country: 'United States', simLock: 'Locked' },
  { carrier: 'Verizon Wireless', country: 'United States', simLock: 'Unlocked' },
  { carrier: 'XAA - Unlocked (USA)', country: 'United States', simLock: 'Unlocked' },
  { carrier: 'BTU - Open Market', country: 'United Kingdom', simLock: 'Unlocked' },
];

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** A second valid IMEI of the same model (same TAC), never equal to the first. */
function secondImei(random: RandomSource, imei: string): string {
  const tac = imei.slice(0, 8);
  for (;;) {
    const candidate = withCheckDigit(`${tac}${randomString(random, '0123456789', 6)}`);
    if (candidate !== imei) return candidate;
  }
}

function appleCheckerCode(random: RandomSource, imei: string): string[] {
  const carrier = pick(random, APPLE_CARRIERS);
  const purchase = `${twoDigits(intBetween(random, 1, 12))}/${twoDigits(intBetween(random, 1, 28))}/${twoDigits(intBetween(random, 17, 24))}`;
  return [
    `Model: ${pick(random, APPLE_MODELS)}`,
    `IMEI Number: ${imei}`,
    `Serial Number: ${pick(random, ['C', 'D', 'F', 'G'])}${randomString(random, SERIAL_ALPHABET, 11)}`,
    `IMEI2 Number: ${secondImei(random, imei)}`,
    `MEID Number: ${imei.slice(0, 14)}`,
    `AppleCare Eligible: ${pick(random, ['ON', 'OFF'])}`,
    `Estimated Purchase Date: ${purchase}`,
    `Carrier: ${carrier.carrier}`,
    `Next Tether Policy: ${carrier.tetherPolicy}`,
    `Current GSMA Status: ${pick(random, GSMA_STATUSES)}`,
    `Find My iPhone: ${pick(random, ['ON', 'OFF'])}`,
    `SimLock: ${carrier.simLock}`,
  ];
}

function samsungCheckerCode(random: RandomSource, imei: string): string[] {
  const carrier = pick(random, SAMSUNG_CARRIERS);
  const year = intBetween(random, 2019, 2024);
  const production = `${year}-${twoDigits(intBetween(random, 1, 12))}-${twoDigits(intBetween(random, 1, 28))}`;
  const warranty = random() < 0.5 ? 'Out of Warranty' : `In Warranty - Until ${year + 2}-${production.slice(5)}`;
  return [
    `Model: ${pick(random, SAMSUNG_MODELS)}`,
    `IMEI Number: ${imei}`,
    `IMEI2 Number: ${secondImei(random, imei)}`,
    `Serial Number: R58${randomString(random, SERIAL_ALPHABET, 8)}`,
    `Carrier: ${carrier.carrier}`,
    `Country: ${carrier.country}`,
    `Production Date: ${production}`,
    `Warranty: ${warranty}`,
    `SimLock: ${carrier.simLock}`,
  ];
}

function blacklistCheckerCode(random: RandomSource, imei: string): string[] {
  const status = pick(random, GSMA_STATUSES);
  return [
    `IMEI Number: ${imei}`,
    `Brand: ${pick(random, ['Apple', 'Samsung', 'Google', 'Motorola'])}`,
    `Blacklist Status: ${status}`,
    `Blacklist Records: ${status === 'Clean' ? 0 : intBetween(random, 1, 3)}`,
  ];
}

function eightDigits(random: RandomSource): string {
  return randomString(random, '0123456789', 8);
}

function appleUnlockCode(random: RandomSource): string[] {
  return [
    pick(random, [
      'Unlocked successfully via whitelist, reboot with a non-accepted SIM',
      'Unlocked - connect to iTunes/Finder with any SIM to finish activation',
      `Unlock code: ${eightDigits(random)}`,
    ]),
  ];
}

function samsungUnlockCode(random: RandomSource): string[] {
  return random() < 0.5 ? [`Unlock code: ${eightDigits(random)}`] : [`NCK: ${eightDigits(random)}`, `SPCK: ${eightDigits(random)}`];
}

/** The result's fields (`Key: Value`, or one free text), in order. */
function codeForKind(kind: ResultKind, random: RandomSource, imei: string): string[] {
  switch (kind) {
    case 'apple-checker':
      return appleCheckerCode(random, imei);
    case 'samsung-checker':
      return samsungCheckerCode(random, imei);
    case 'blacklist-checker':
      return blacklistCheckerCode(random, imei);
    case 'apple-unlock':
      return appleUnlockCode(random);
    case 'samsung-unlock':
      return samsungUnlockCode(random);
  }
}

/**
 * The `code` of a Completed order for that service and IMEI; always the same for the same pair.
 * A service id outside the catalogue gets the Apple checker's shape.
 */
export function buildResultCode(serviceId: string, imei: string): string {
  return buildResultParts(serviceId, imei).join(' - ');
}

/**
 * The fields of that `code`, one per element, for servers that format them otherwise (DHRU
 * panels that put `<br>` between them). `buildResultCode` is these joined with ` - `.
 */
export function buildResultParts(serviceId: string, imei: string): string[] {
  const kind = findService(serviceId)?.resultKind ?? 'apple-checker';
  return codeForKind(kind, mulberry32(seedFromText(imei)), imei);
}

/** How an order ends: Rejected with `Invalid_IMEI` when the check digit is wrong, else Completed. */
export function finalOutcomeFor(serviceId: string, imei: string): FinalOutcome {
  if (!hasValidCheckDigit(imei)) return { status: 'Rejected', code: INVALID_IMEI_CODE };
  return { status: 'Completed', code: buildResultCode(serviceId, imei) };
}
