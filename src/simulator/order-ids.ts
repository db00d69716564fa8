/**
 * Where the simulator's order ids come from. Two things matter to the daemon: an id must never
 * name two different orders (the daemon keys its rows by id, and its built-in simulator starts
 * afresh with every daemon start), and ids of one call need not be contiguous (other accounts
 * order on the same server in between).
 */

/**
 * Ids a default start reserves per millisecond of wall clock: a start at `t` ms begins at
 * `t * ORDER_IDS_PER_MS`. An earlier start at `t0` therefore stays below a later start at `t1`
 * as long as it handed out fewer than `(t1 - t0) * 100` ids, i.e. on average fewer than 100,000 a
 * second of its life (other accounts' ids included), which no simulated run comes near: the
 * daemon talking to its built-in simulator is held to the provider's call rate, and a restart
 * takes far longer than a millisecond. Milliseconds rather than seconds, so that two starts within
 * the same second (a crash and a quick restart) still get separate ranges.
 *
 * The size: 2026's clock (~1.8e12 ms) gives ids of ~1.8e14, 15 digits until the year 2286. Fifteen
 * digits keep ids exact where the daemon's users look at them (Excel keeps 15 significant digits,
 * gsmfusion-api.md "IMEI facts") and some fifty times below 2^53, so `Number(id)` stays exact too.
 */
export const ORDER_IDS_PER_MS = 100;

/** The highest id any simulator in this process has handed out, so a restart in-process never overlaps. */
let highestInProcess = 0;

/**
 * The first id of a start with no `firstOrderId`: above every id an earlier start can have handed out
 * (by the clock across processes, by `highestInProcess` within this one). A clock set back between
 * two starts defeats the first part; nothing short of a file on disk would help there.
 */
export function defaultFirstOrderId(nowMs: number = Date.now()): number {
  return Math.max(clockFirstOrderId(nowMs), highestInProcess + 1);
}

/** The clock part alone: all a start in a new process has to go on. */
export function clockFirstOrderId(nowMs: number): number {
  return Math.floor(nowMs) * ORDER_IDS_PER_MS;
}

function checkWholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`simulator ${name} must be a whole number >= 0, got ${value}`);
  }
  return value;
}

export interface OrderIdOptions {
  /** Default: defaultFirstOrderId(). */
  firstOrderId?: number;
  /** Ids handed to other (invisible) accounts after each order of this one; default 0. */
  otherAccountOrders?: number;
}

/** Hands out this account's ids, in ascending order, as decimal strings. */
export class OrderIdSequence {
  private nextId: number;
  private readonly gap: number;

  constructor(options: OrderIdOptions = {}) {
    this.nextId = checkWholeNumber('firstOrderId', options.firstOrderId ?? defaultFirstOrderId());
    this.gap = checkWholeNumber('otherAccountOrders', options.otherAccountOrders ?? 0);
  }

  /** The id of one order of this account; the ids after it go to other accounts and are never seen again. */
  next(): string {
    const id = this.nextId;
    if (id + this.gap >= Number.MAX_SAFE_INTEGER) throw new RangeError('simulator order ids ran past 2^53');
    this.nextId = id + 1 + this.gap;
    highestInProcess = Math.max(highestInProcess, this.nextId - 1);
    return String(id);
  }
}
