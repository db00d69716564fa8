/**
 * Placing orders over DHRU: one `placeimeiorderbulk` call with a reference per IMEI where the
 * server has bulk, else one `placeimeiorder` per IMEI. Every IMEI ends in a list of the
 * result, or, when the call fails part way, in the error's `details.partial`; an IMEI in none
 * has the outcome the error's class says (unknown: it may have been ordered).
 */
import { ProviderError, ProviderSafeError, ProviderUnknownOutcomeError } from '../../errors.js';
import type { DhruAction } from '../classify.js';
import type { PlaceOrderResult } from '../types.js';
import { type BulkMemory, unreadableShowsNoBulk } from './bulk-memory.js';
import { completeEntries } from './json-reply.js';
import { base64JsonParameters, singleParameters } from './parameters.js';
import { PlacementTally, placeReference, readBulkPlacement, readRowOutcome } from './placement.js';
import { isAccountLevel, refusalError, refusalKind } from './refusals.js';
import type { ResolvedDhruSettings } from './settings.js';
import type { DhruAnswer, DhruTransport } from './transport.js';

/** A bulk call the server showed it cannot take: place the same IMEIs one by one. */
const NO_BULK = Symbol('no bulk');

export class DhruPlacer {
  constructor(
    private readonly transport: DhruTransport,
    private readonly settings: ResolvedDhruSettings,
    private readonly bulk: BulkMemory,
    /** The read-only probe, run before the first bulk placing call in `auto`. */
    private readonly probe: (signal?: AbortSignal) => Promise<boolean>,
  ) {}

  async place(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult> {
    if (await this.useBulk(signal)) {
      const result = await this.placeBulk(serviceId, imeis, signal);
      if (result !== NO_BULK) return result;
    }
    return this.placeSingly(serviceId, imeis, signal);
  }

  /** A probe that fails places nothing: whatever it was, nothing of this placing call was sent. */
  private async useBulk(signal: AbortSignal | undefined): Promise<boolean> {
    try {
      return await this.bulk.decide(() => this.probe(signal));
    } catch (error) {
      if (error instanceof ProviderSafeError || !(error instanceof ProviderUnknownOutcomeError)) throw error;
      throw new ProviderSafeError(`${error.message} (probing for bulk support; no order was placed)`, { ...error.details }, error);
    }
  }

  private async placeBulk(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult | typeof NO_BULK> {
    const action: DhruAction = 'placeimeiorderbulk';
    const references = imeis.map((_imei, index) => placeReference(index));
    const rows = Object.fromEntries(references.map((reference, index) => [reference, { ID: serviceId, IMEI: imeis[index] ?? '' }]));
    const answer = await this.transport.call(action, base64JsonParameters(rows), signal);
    const tally = this.tally();
    const outcomes = answer.kind === 'unreadable' ? undefined : readBulkPlacement(answer.json, references);
    // A top-level ERROR beside rows of ours (not seen, but possible) must not hide their orders.
    const carriesRows = outcomes !== undefined && [...outcomes.values()].some((outcome) => outcome.kind !== 'unknown');

    if (answer.kind === 'refusal' && !carriesRows) {
      const kind = refusalKind(answer.text, this.settings.patterns, 'place');
      if (kind === 'unknownAction' && this.bulk.isAuto) {
        this.bulk.learn(false); // refused whole: nothing was ordered, so single calls are safe
        return NO_BULK;
      }
      // One IMEI: the call's refusal is the row's (a repeat, a bad IMEI...).
      if (imeis.length === 1 && !isAccountLevel(kind) && kind !== 'unknownAction' && kind !== 'unreadableInput') {
        tally.add(imeis[0] ?? '', { kind: 'refusal', text: answer.text });
        return tally.result();
      }
      for (const imei of isAccountLevel(kind) ? imeis : []) tally.add(imei, { kind: 'refusal', text: answer.text });
      throw this.withPartial(refusalError(kind, answer.text, action, { httpStatus: answer.status }), tally);
    }
    if (answer.kind === 'unreadable') {
      // The panel without bulk answers nothing; a PHP fault may answer nothing after ordering.
      // Either way these rows are unknown, and single calls are the safe way on. A JSON reply
      // cut short only lost its end: bulk stays.
      if (unreadableShowsNoBulk(answer.body)) this.bulk.learn(false);
      const carried = completeEntries(answer.body, references);
      references.forEach((reference, index) => {
        const entry = carried.get(reference);
        tally.add(imeis[index] ?? '', entry === undefined ? { kind: 'unknown' } : readRowOutcome(entry));
      });
      throw this.unreadable(answer, action, tally);
    }
    references.forEach((reference, index) => tally.add(imeis[index] ?? '', outcomes?.get(reference) ?? { kind: 'unknown' }));
    // A reply keyed by none of our references: a server that does not know the action.
    if (tally.knowsNothing) this.bulk.learn(false);
    if (tally.accountRefusal !== undefined) {
      const { kind, text } = tally.accountRefusal;
      throw this.withPartial(refusalError(kind, text, action, { httpStatus: answer.status }), tally);
    }
    return tally.result();
  }

  /** One call per IMEI, in order; the first failure stops the rest, which are then not sent. */
  private async placeSingly(serviceId: string, imeis: readonly string[], signal?: AbortSignal): Promise<PlaceOrderResult> {
    const action: DhruAction = 'placeimeiorder';
    const tally = this.tally();
    for (const [index, imei] of imeis.entries()) {
      const rest = imeis.slice(index + 1);
      let answer: DhruAnswer;
      try {
        answer = await this.transport.call(action, singleParameters(this.settings.singleEncoding, { ID: serviceId, IMEI: imei }), signal);
      } catch (error) {
        if (error instanceof ProviderSafeError) tally.addNotSent([imei]); // certainly not received
        else if (error instanceof ProviderError && error.failureClass === 'permanent') tally.addRefused(imei, error.message);
        else tally.add(imei, { kind: 'unknown' });
        tally.addNotSent(rest);
        throw this.withPartial(error, tally);
      }
      if (answer.kind === 'unreadable') {
        tally.add(imei, { kind: 'unknown' });
        tally.addNotSent(rest);
        throw this.unreadable(answer, action, tally);
      }
      if (answer.kind === 'reply') {
        tally.add(imei, readRowOutcome(answer.json));
        continue;
      }
      const kind = refusalKind(answer.text, this.settings.patterns, 'place');
      if (isAccountLevel(kind) || kind === 'unknownAction' || kind === 'unreadableInput') {
        // Every later call would be refused alike: stop here. Nothing of this IMEI was ordered.
        if (isAccountLevel(kind)) tally.add(imei, { kind: 'refusal', text: answer.text });
        else tally.addRefused(imei, answer.text);
        tally.addNotSent(rest);
        throw this.withPartial(refusalError(kind, answer.text, action, { httpStatus: answer.status }), tally);
      }
      tally.add(imei, { kind: 'refusal', text: answer.text });
    }
    return tally.result();
  }

  private tally(): PlacementTally {
    return new PlacementTally(this.settings.patterns, (text) => this.transport.clean(text));
  }

  private unreadable(answer: Extract<DhruAnswer, { kind: 'unreadable' }>, action: DhruAction, tally: PlacementTally): ProviderError {
    const failure = { kind: 'bad-reply' as const, status: answer.status, problem: answer.problem };
    return this.withPartial(this.transport.fail(failure, action), tally);
  }

  /** The error, carrying what the call did settle (only when it settled anything). */
  private withPartial<E>(error: E, tally: PlacementTally): E {
    if (tally.isEmpty || !(error instanceof ProviderError)) return error;
    error.details.partial = tally.partial();
    const placed = tally.placedOrders();
    if (placed.length > 0) error.details.salvaged = placed;
    return error;
  }
}
