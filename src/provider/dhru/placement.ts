/**
 * Replies to `placeimeiorder` and `placeimeiorderbulk`, row by row (dhru-fusion-api.md): a
 * `REFERENCEID` is an order placed; an `ERROR` is a refusal, nothing ordered; anything else,
 * a missing reference above all, is an unknown outcome, never "not ordered". Pure.
 */
import type { PartialPlacement, PlacedOrder, PlaceOrderResult, RefusedImei } from '../types.js';
import { type JsonObject, type JsonValue, errorText, field, fieldText, firstRecord, isObject } from './json-reply.js';
import { type DhruRefusalPatterns, refusalKind } from './refusals.js';

/** What the reply says about one IMEI sent. */
export type RowOutcome = { kind: 'placed'; orderId: string } | { kind: 'refusal'; text: string } | { kind: 'unknown' };

const UNKNOWN: RowOutcome = { kind: 'unknown' };

/** The reference of the n-th IMEI (from 1) of a bulk call: a prefix, so never an envelope key or a leading zero. */
export function placeReference(index: number): string {
  return `r${index + 1}`;
}

/**
 * One order's answer, in either shape: `{"SUCCESS":[{"REFERENCEID":...}]}` / `{"ERROR":[...]}`
 * (a single call, or a row keyed at the top level), or `{"status":"success","referenceid":...}`
 * (a row of the wrapped bulk reply). A `SUCCESS` without a `REFERENCEID` is unknown.
 */
export function readRowOutcome(entry: JsonObject): RowOutcome {
  const status = field(entry, 'status');
  if (typeof status === 'string' && field(entry, 'SUCCESS') === undefined) return readWrappedRow(entry, status);
  const refusal = errorText(entry);
  if (refusal !== undefined && refusal !== '') return { kind: 'refusal', text: refusal };
  const success = firstRecord(field(entry, 'SUCCESS'));
  const orderId = success === undefined ? '' : fieldText(success, 'REFERENCEID');
  return orderId === '' ? UNKNOWN : { kind: 'placed', orderId };
}

function readWrappedRow(entry: JsonObject, status: string): RowOutcome {
  const orderId = fieldText(entry, 'referenceid');
  const word = status.trim().toLowerCase();
  if (word === 'error' || word === 'failed' || word === 'fail') {
    return { kind: 'refusal', text: fieldText(entry, 'message') || errorText(entry) || 'refused' };
  }
  if (orderId !== '' && (word === 'success' || word === 'ok' || word === '')) return { kind: 'placed', orderId };
  return UNKNOWN;
}

/**
 * A bulk reply's outcome per reference sent: keyed at the top level (the template) or wrapped
 * in a `SUCCESS` object (one modern panel). A reference the reply does not carry is unknown.
 */
export function readBulkPlacement(json: JsonObject, references: readonly string[]): Map<string, RowOutcome> {
  const wrapped = field(json, 'SUCCESS');
  const keyedAtTop = references.some((reference) => isObject(field(json, reference)));
  const rows: JsonValue | undefined = keyedAtTop ? json : isObject(wrapped) ? wrapped : undefined;
  const outcomes = new Map<string, RowOutcome>();
  for (const reference of references) {
    const entry = isObject(rows) ? field(rows, reference) : undefined;
    outcomes.set(reference, isObject(entry) ? readRowOutcome(entry) : UNKNOWN);
  }
  return outcomes;
}

/** Where each IMEI of a placing call ended up, and the first account-level refusal met. */
export class PlacementTally {
  private readonly placed: PlacedOrder[] = [];
  private readonly duplicates: string[] = [];
  private readonly rejected: string[] = [];
  private readonly refused: RefusedImei[] = [];
  private readonly heldBack: string[] = [];
  private readonly notSent: string[] = [];
  private readonly unknown: string[] = [];
  /** The first credentials or credit refusal, which halts the account's ordering. */
  accountRefusal: { kind: 'credentials' | 'credit'; text: string } | undefined;

  constructor(
    private readonly patterns: DhruRefusalPatterns,
    private readonly clean: (text: string) => string,
  ) {}

  /**
   * Records one IMEI's outcome; a refusal is sorted by its text. An unknown one is in no list of
   * `result()`, which is what "outcome unknown" means to the engine, and in `partial().unknown`.
   */
  add(imei: string, outcome: RowOutcome): void {
    if (outcome.kind === 'placed') this.placed.push({ imei, orderId: outcome.orderId, status: 'Pending' });
    else if (outcome.kind === 'refusal') this.addRefusal(imei, this.clean(outcome.text));
    else this.unknown.push(imei);
  }

  addNotSent(imeis: readonly string[]): void {
    this.notSent.push(...imeis);
  }

  /** Refused for good by a failure of the call itself (an HTTP 4xx page, an encoding mismatch): not ordered. */
  addRefused(imei: string, message: string): void {
    this.refused.push({ imei, message });
  }

  private addRefusal(imei: string, text: string): void {
    const kind = refusalKind(text, this.patterns, 'place');
    switch (kind) {
      case 'credentials':
      case 'credit':
        this.heldBack.push(imei);
        this.accountRefusal ??= { kind, text };
        return;
      case 'duplicate':
        this.duplicates.push(imei);
        return;
      case 'badImei':
        this.rejected.push(imei);
        return;
      default:
        this.refused.push({ imei, message: text });
    }
  }

  /** The split the engine records. `refused` only when there is one, so GSM Fusion's shape stays. */
  result(): PlaceOrderResult {
    const result: PlaceOrderResult = { placed: [...this.placed], duplicates: [...this.duplicates], rejected: [...this.rejected] };
    if (this.refused.length > 0) result.refused = [...this.refused];
    return result;
  }

  /** For an error thrown part way: every IMEI in exactly one list. */
  partial(): PartialPlacement {
    return { settled: this.result(), heldBack: [...this.heldBack], notSent: [...this.notSent], unknown: [...this.unknown] };
  }

  placedOrders(): PlacedOrder[] {
    return [...this.placed];
  }

  /** Whether no IMEI has been recorded at all (nothing worth carrying in an error's details). */
  get isEmpty(): boolean {
    return this.knowsNothing && this.notSent.length === 0 && this.unknown.length === 0;
  }

  /** Whether the reply said nothing about any IMEI: no order, no refusal. */
  get knowsNothing(): boolean {
    return [this.placed, this.duplicates, this.rejected, this.refused, this.heldBack].every((list) => list.length === 0);
  }
}
