/**
 * `accountinfo` (dhru-fusion-api.md): the balance, spelt `AccoutInfo` by most servers and
 * `AccountInfo` by one; `credit` as a number or as text (`1,250.40`, `$1,250.40`, `1000 USD`),
 * sometimes with a numeric `creditraw`. Pure.
 */
import type { AccountBalance } from '../types.js';
import { type JsonObject, field, fieldText, firstField, firstRecord, isObject } from './json-reply.js';

/** Undefined when the reply has no account record at all. */
export function readAccountInfo(json: JsonObject): AccountBalance | undefined {
  const success = firstRecord(field(json, 'SUCCESS'));
  const info = success === undefined ? undefined : firstField(success, ['AccoutInfo', 'AccountInfo']);
  if (!isObject(info)) return undefined;
  const creditText = fieldText(info, 'credit');
  const balance: AccountBalance = { creditText };
  const credit = parseCredit(fieldText(info, 'creditraw')) ?? parseCredit(creditText);
  if (credit !== undefined) balance.credit = credit;
  const currency = fieldText(info, 'currency') || currencyIn(creditText);
  if (currency !== '') balance.currency = currency;
  return balance;
}

/**
 * A credit text as a number, leniently: currency symbols and words dropped, `,` read as a
 * thousands separator when three digits follow it (`1,250.40`, `1,000`) and as the decimal
 * point otherwise (`12,5`, `1.250,40`). Undefined when no number can be read without guessing.
 */
export function parseCredit(text: string): number | undefined {
  const match = /(-?)\s*[^\d-]*?(\d[\d.,\s']*)/.exec(text.trim());
  if (match === null) return undefined;
  const sign = match[1] === '-' || /^-|^\(.*\)$/.test(text.trim()) ? -1 : 1;
  const digits = (match[2] ?? '').replace(/[\s']/g, '').replace(/[.,]$/, '');
  const normalised = normaliseSeparators(digits);
  if (normalised === undefined || !/^\d+(?:\.\d+)?$/.test(normalised)) return undefined;
  const value = Number(normalised) * sign;
  return Number.isFinite(value) ? value : undefined;
}

function normaliseSeparators(digits: string): string | undefined {
  const lastComma = digits.lastIndexOf(',');
  const lastDot = digits.lastIndexOf('.');
  if (lastComma === -1) return digits.split('.').length > 2 ? digits.replaceAll('.', '') : digits;
  if (lastDot === -1) {
    // `1,250` or `1,250,000`: thousands; `12,5`: a decimal comma.
    if (/^\d{1,3}(?:,\d{3})+$/.test(digits)) return digits.replaceAll(',', '');
    return digits.split(',').length === 2 ? digits.replace(',', '.') : undefined;
  }
  // Both: whichever comes last is the decimal point.
  if (lastDot > lastComma) return digits.replaceAll(',', '');
  return digits.replaceAll('.', '').replace(',', '.');
}

/** `1000 USD` -> `USD`; a symbol alone names no currency for certain. */
function currencyIn(text: string): string {
  return /\b([A-Z]{3})\b/.exec(text)?.[1] ?? '';
}
