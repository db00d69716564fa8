/** The simulator's order book: what it holds, duplicate refusal, and statuses that move with time. */
import type { ProviderStatus } from '../provider/types.js';
import { finalOutcomeFor, type FinalOutcome } from './codes.js';
import { isFifteenDigits } from './imei.js';
import { OrderIdSequence } from './order-ids.js';
import type { SimulatorOrder } from './types.js';

/**
 * Close to the ids the live server hands out. No longer the default start (order-ids.ts says why);
 * pass it as `firstOrderId` for a fixed one.
 */
export const FIRST_ORDER_ID = 15556534;

interface HeldOrder {
  orderId: string;
  imei: string;
  serviceId: string;
  placedAt: number;
  /** Later placements of the same IMEI for the same service, refused as duplicates of this order. */
  duplicateRefusals: number;
  /** The earlier order of the same IMEI and service, when this one was placed as a repeat. */
  repeatOf?: string;
  /** Computed on first need; fixed from then on. */
  outcome?: FinalOutcome;
}

/** One `placeorder` call split by what happened to each IMEI, in the order they were sent. */
export interface PlacementOutcome {
  /** `repeatOf`: with `allowRepeats`, the earlier order of that IMEI and service this one repeats. */
  placed: { orderId: string; imei: string; repeatOf?: string }[];
  /** Already held for that service, including earlier in the same call. */
  duplicates: string[];
  /** Not 15 digits: not ordered. */
  malformed: string[];
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatRequestedAt(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

export class OrderBook {
  private readonly held: HeldOrder[] = [];
  private readonly byId = new Map<string, HeldOrder>();
  /** Every order held by `serviceId:imei`, for duplicate refusal. */
  private readonly byKey = new Map<string, HeldOrder>();

  constructor(
    private readonly completeAfterMs: number,
    private readonly now: () => number = Date.now,
    private readonly ids: OrderIdSequence = new OrderIdSequence(),
  ) {}

  /** Whether an order for this IMEI on this service is held. */
  holds(serviceId: string, imei: string): boolean {
    return this.byKey.has(`${serviceId}:${imei}`);
  }

  /**
   * Takes the orders of one call. Nothing here can fail half way: the caller sees all or nothing.
   * `allowRepeats` (a DHRU server that does not refuse repeats): an IMEI already held for the
   * service is ordered again instead of refused as a duplicate.
   */
  place(serviceId: string, imeis: readonly string[], options: { allowRepeats?: boolean } = {}): PlacementOutcome {
    const outcome: PlacementOutcome = { placed: [], duplicates: [], malformed: [] };
    const placedAt = this.now();
    for (const imei of imeis) {
      if (!isFifteenDigits(imei)) {
        outcome.malformed.push(imei);
        continue;
      }
      const key = `${serviceId}:${imei}`;
      const earlier = this.byKey.get(key);
      if (earlier !== undefined && options.allowRepeats !== true) {
        earlier.duplicateRefusals++;
        outcome.duplicates.push(imei);
        continue;
      }
      const order: HeldOrder = { orderId: this.ids.next(), imei, serviceId, placedAt, duplicateRefusals: 0 };
      if (earlier !== undefined) order.repeatOf = earlier.orderId;
      this.byKey.set(key, order);
      this.held.push(order);
      this.byId.set(order.orderId, order);
      outcome.placed.push(earlier === undefined ? { orderId: order.orderId, imei } : { orderId: order.orderId, imei, repeatOf: earlier.orderId });
    }
    return outcome;
  }

  /** Orders for the ids given, in the order asked, each once; unknown ids are left out. */
  lookUp(orderIds: readonly string[]): SimulatorOrder[] {
    const found: SimulatorOrder[] = [];
    const seen = new Set<string>();
    const now = this.now();
    for (const orderId of orderIds) {
      const order = this.byId.get(orderId);
      if (order === undefined || seen.has(orderId)) continue;
      seen.add(orderId);
      found.push(this.view(order, now));
    }
    return found;
  }

  all(): SimulatorOrder[] {
    const now = this.now();
    return this.held.map((order) => this.view(order, now));
  }

  private view(order: HeldOrder, now: number): SimulatorOrder {
    const { status, code } = this.stateAt(order, now);
    return {
      orderId: order.orderId,
      imei: order.imei,
      serviceId: order.serviceId,
      status,
      code,
      requestedAt: formatRequestedAt(order.placedAt),
      placedAt: order.placedAt,
      duplicateRefusals: order.duplicateRefusals,
      ...(order.repeatOf === undefined ? {} : { repeatOf: order.repeatOf }),
    };
  }

  /** Pending for the first half of `completeAfterMs`, In Process for the second, then final. */
  private stateAt(order: HeldOrder, now: number): { status: ProviderStatus; code: string } {
    const elapsed = now - order.placedAt;
    if (elapsed >= this.completeAfterMs) {
      order.outcome ??= finalOutcomeFor(order.serviceId, order.imei);
      return order.outcome;
    }
    return { status: elapsed >= this.completeAfterMs / 2 ? 'In Process' : 'Pending', code: '' };
  }
}
