/**
 * What the dashboard knows only from the daemon's events, not from the store: the calls of the
 * last minute and whether the provider answers. Kept in the dashboard's thread; it starts empty
 * when the thread starts ("no call yet").
 */
import type { CallEvent } from '../events/daemon-events.js';
import type { HealthSnapshot } from './protocol.js';

export interface ProviderState {
  /** null until the first call since the dashboard started. */
  reachable: boolean | null;
  /** When it last changed from reachable to not, or back. */
  since: string | null;
  /** The last call the provider answered (any answer, a refusal too). */
  lastContactAt: string | null;
  lastError: { at: string; message: string } | null;
  /** The last answer refused the credentials: nothing is ordered until the configuration changes. */
  credentialsRefused: boolean;
}

const MINUTE_MS = 60_000;

/** Outcomes that mean the provider answered, whatever it said. */
const ANSWERED: ReadonlySet<CallEvent['outcome']> = new Set(['ok', 'rate_limited', 'refused', 'bad_credentials']);

export class LiveState {
  /** End times (ms) of the calls of the last minute, oldest first. */
  private calls: number[] = [];
  private providerState: ProviderState = {
    reachable: null,
    since: null,
    lastContactAt: null,
    lastError: null,
    credentialsRefused: false,
  };
  health: HealthSnapshot = { databaseWritable: true, watching: false, submissionHalted: false };

  onCall(event: CallEvent): void {
    const at = Date.parse(event.at);
    this.calls.push(Number.isFinite(at) ? at : Date.now());
    this.prune(Date.now());
    const answered = ANSWERED.has(event.outcome);
    const state = this.providerState;
    if (state.reachable !== answered) {
      state.reachable = answered;
      state.since = event.at;
    }
    if (answered) state.lastContactAt = event.at;
    if (event.outcome !== 'ok' && event.error) state.lastError = { at: event.at, message: event.error };
    if (event.outcome === 'bad_credentials') state.credentialsRefused = true;
    else if (event.outcome === 'ok') state.credentialsRefused = false;
  }

  /** Provider calls (of every kind) that ended in the last 60 seconds. */
  callsLastMinute(now = Date.now()): number {
    this.prune(now);
    return this.calls.length;
  }

  get provider(): ProviderState {
    return { ...this.providerState };
  }

  private prune(now: number): void {
    const from = now - MINUTE_MS;
    let drop = 0;
    while (drop < this.calls.length && (this.calls[drop] as number) < from) drop += 1;
    if (drop > 0) this.calls = this.calls.slice(drop);
  }
}
