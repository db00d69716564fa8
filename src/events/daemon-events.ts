/**
 * The daemon's events, typed (design.md, "Seams for what comes next": events out of the daemon).
 * The engine's callbacks, wired in daemon.ts, say what happened once; whoever wants to know
 * (the dashboard thread, its metrics, progress lines) subscribes here instead of being wired in
 * by hand. A listener that throws is cut off from that one event, never from the daemon: an
 * observer must not break submission.
 */
import type { FileSummary } from '../report/summary.js';

/** What the provider client was asked to do, whatever the protocol calls it. */
export type CallAction = 'place_order' | 'get_orders' | 'list_services';

/**
 * How a provider call ended: `ok` (answered), `rate_limited` (429), `failed` (certainly not
 * placed: refused connection, 503...), `unknown_outcome` (may have placed orders: timeout after
 * sending, reset), `refused` (a permanent refusal), `bad_credentials`.
 */
export type CallOutcome = 'ok' | 'rate_limited' | 'failed' | 'unknown_outcome' | 'refused' | 'bad_credentials';

export interface CallEvent {
  action: CallAction;
  outcome: CallOutcome;
  /** When the call ended, ISO 8601. */
  at: string;
  durationMs: number;
  /** IMEIs sent (place_order) or order ids asked about (get_orders). */
  items: number;
  /** For an answered place_order: orders placed, repeats refused, IMEIs refused as malformed. */
  placed?: number;
  duplicates?: number;
  rejected?: number;
  /** For a failure: the client's message (our words and the provider's; never the request sent). */
  error?: string;
}

/** Why a file's counts may have changed. */
export type FileChangeReason = 'intake' | 'reply' | 'settled' | 'results' | 'report';

export interface FileChangedEvent {
  fileIds: readonly number[];
  reason: FileChangeReason;
}

export interface FileReportedEvent {
  fileId: number;
  summary: FileSummary;
  /** The file's first report (its submission just finished), not a rewrite after results. */
  firstTime: boolean;
}

export interface DaemonEventMap {
  'file-changed': FileChangedEvent;
  'file-reported': FileReportedEvent;
  call: CallEvent;
}

export type DaemonEventName = keyof DaemonEventMap;

export type Listener<K extends DaemonEventName> = (event: DaemonEventMap[K]) => void;

type ListenerSets = { [K in DaemonEventName]: Set<Listener<K>> };

export class DaemonEvents {
  private readonly listeners: ListenerSets = {
    'file-changed': new Set(),
    'file-reported': new Set(),
    call: new Set(),
  };

  /** @param onListenerError told when a listener throws (the daemon logs it); default: ignored. */
  constructor(private readonly onListenerError: (name: DaemonEventName, error: unknown) => void = () => undefined) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends DaemonEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners[name] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends DaemonEventName>(name: K, event: DaemonEventMap[K]): void {
    for (const listener of this.listeners[name] as Set<Listener<K>>) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(name, error);
      }
    }
  }

  /** Whether anyone listens: an emitter may skip building an event nobody reads. */
  has(name: DaemonEventName): boolean {
    return this.listeners[name].size > 0;
  }
}
