import pLimit from 'p-limit';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { OrderResult, ProviderClient } from '../provider/types.js';
import type { RecoveryOutcome } from '../store/recovery-transitions.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';

export interface IdSearchOptions {
  /** Ids one call asks about: `getimeis` takes 100; with `lookUpEachId`, ids asked per step. */
  idsPerCall: number;
  /**
   * Ask one id per call with `lookUpOrders` (DHRU: a bulk read names no IMEI, so its orders could
   * not be matched to rows). Each id is one call through the budget.
   */
  lookUpEachId: boolean;
  /** With `lookUpEachId`, lookups in flight at once (the budget still bounds every call). */
  lookUpsInParallel: number;
}

/**
 * Reads order ids the store does not know, for order recovery and for settling unknown outcomes:
 * in chunks of `getimeis`, or one `getimeiorder` per id where bulk reads name no IMEI. What it
 * finds is recorded (RecoveryTransitions.recordFound), which adopts what it can.
 */
export class IdSearch {
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly store: Store,
    private readonly client: ProviderClient,
    private readonly options: IdSearchOptions,
    private readonly logger: Logger,
    private readonly budget: CallBudget,
    private readonly changed: (outcome: RecoveryOutcome) => void,
    private readonly stopping: () => boolean,
  ) {
    this.limit = pLimit(Math.max(1, options.lookUpsInParallel));
  }

  /**
   * Asks about the unknown ids from `from` to `to`, at most `budget` of them; with `advance`, each
   * answered step moves `scanned_to` up (those ids are certainly issued). Returns how many orders
   * were found, or undefined when a call failed (the caller's round ends; the next one goes on).
   */
  async askRange(from: number, to: number, budget: number, advance: boolean): Promise<number | undefined> {
    let next = from;
    let asked = 0;
    let found = 0;
    while (next <= to && asked < budget && !this.stopping()) {
      const ids: string[] = [];
      while (next <= to && ids.length < this.options.idsPerCall) {
        const id = String(next);
        next += 1;
        if (!this.store.recovery.isKnown(id)) ids.push(id);
      }
      asked += ids.length;
      if (ids.length > 0) {
        const answered = await this.ask(ids);
        if (answered === undefined) return undefined;
        found += answered;
      }
      if (advance) this.store.recovery.advanceScannedTo(next - 1);
    }
    return found;
  }

  /** Ids above the highest known, a step at a time, until a step finds nothing of ours (`steps` at most). */
  async probeAbove(highest: number, steps: number): Promise<void> {
    const size = this.options.idsPerCall;
    for (let step = 0; step < steps && !this.stopping(); step += 1) {
      const start = highest + 1 + step * size;
      const found = await this.askRange(start, start + size - 1, size, false);
      if (!found) return;
    }
  }

  /** One step: the ids' results, recorded. Returns how many orders it found, or undefined when a call failed. */
  private async ask(ids: readonly string[]): Promise<number | undefined> {
    try {
      const results = this.options.lookUpEachId ? await this.lookUpEach(ids) : await this.budget.run('read', () => this.client.getOrders(ids));
      const outcome = this.store.recovery.recordFound(results, new Date().toISOString());
      if (outcome.adopted > 0) this.logger.info({ adopted: outcome.adopted }, 'order ids of lost calls found');
      this.changed(outcome);
      return results.length;
    } catch (error) {
      if (!this.stopping()) this.logger.warn({ ids: ids.length, err: describeError(error) }, 'reading order ids for lost calls failed');
      return undefined;
    }
  }

  /** One `getimeiorder` per id, a few in flight at once, each through the budget; the first failure fails the step. */
  private async lookUpEach(ids: readonly string[]): Promise<OrderResult[]> {
    const lookUp = this.client.lookUpOrders?.bind(this.client);
    if (lookUp === undefined) return this.budget.run('read', () => this.client.getOrders(ids));
    const answers = await Promise.all(ids.map((id) => this.limit(() => this.budget.run('read', () => lookUp([id])))));
    return answers.flat();
  }
}
