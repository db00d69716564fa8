/** The simulated account's credit, in whole cents so that thousands of 0.08 orders add up exactly. */

export const DEFAULT_CREDIT = 100_000;

export class Credit {
  private cents: number;

  constructor(amount: number = DEFAULT_CREDIT) {
    this.cents = toCents(amount);
  }

  get amount(): number {
    return this.cents / 100;
  }

  set(amount: number): void {
    this.cents = toCents(amount);
  }

  /** Takes `price` (a catalogue price text such as `0.08`) if the credit covers it; false otherwise. */
  spend(price: string): boolean {
    const cost = toCents(Number(price));
    if (cost > this.cents) return false;
    this.cents -= cost;
    return true;
  }
}

function toCents(amount: number): number {
  if (!Number.isFinite(amount)) throw new RangeError(`simulator credit must be a finite number, got ${amount}`);
  return Math.round(amount * 100);
}
