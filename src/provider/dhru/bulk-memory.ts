/**
 * Whether this server has the bulk actions, as configured (`on`, `off`) or as learnt (`auto`).
 * Learnt read-only: a bulk placing call is never the probe, because a panel that answers unknown
 * actions with an empty body would leave a whole batch "unknown" that was never ordered
 * (dhru-fusion-api.md, `placeimeiorderbulk`, "Support").
 */
import type { DhruBulkMode } from './settings.js';

/**
 * Whether an unreadable reply to a bulk call shows that the server has no bulk: an empty body
 * (the panel whose dispatcher has no default branch) or one that is not JSON at all. A JSON reply
 * cut short is a transport fault, not an answer: it teaches nothing.
 */
export function unreadableShowsNoBulk(body: string): boolean {
  return !body.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}

export class BulkMemory {
  private known: boolean | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(
    private readonly mode: DhruBulkMode,
    initial: boolean | undefined,
  ) {
    this.known = initial;
  }

  /** True, false, or undefined while `auto` has learnt nothing yet. */
  get current(): boolean | undefined {
    return this.known;
  }

  get isAuto(): boolean {
    return this.mode === 'auto';
  }

  /** In `auto`, remembers what a call showed; `on` and `off` are the operator's word and stay. */
  learn(supported: boolean): void {
    if (this.mode === 'auto') this.known = supported;
  }

  /**
   * Whether to use bulk now; in `auto` with nothing learnt, runs `probe` first (one probe at a
   * time, however many calls wait for it). A failed probe teaches nothing and is thrown.
   */
  async decide(probe: () => Promise<boolean>): Promise<boolean> {
    if (this.known !== undefined) return this.known;
    this.probing ??= probe().finally(() => {
      this.probing = undefined;
    });
    const supported = await this.probing;
    this.learn(supported);
    return supported;
  }
}
