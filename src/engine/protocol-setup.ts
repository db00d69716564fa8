import type { ResolvedConfig } from '../config/load.js';
import { ProviderAuthError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { capabilitiesOf, IMEIS_PER_LIST_CALL, type ProviderCapabilities, type ProviderClientOptions } from '../provider/index.js';
import type { ProviderClient } from '../provider/types.js';
import type { Store } from '../store/store.js';
import type { CallBudget } from './call-budget.js';

/**
 * The provider protocol's facts, wired into the daemon once (issue 19): the client's options
 * from `provider.*` and what the store remembers of this account, and the capabilities the
 * client reports applied to the store (whether unknown outcomes are resent, IMEIs per call).
 * Nothing above this file needs to know which protocol it talks to.
 */

/**
 * IMEIs per planned batch: `submission.batchSize`, and with DHRU no more than one bulk call is
 * known to take (a larger batch gains nothing; a server without bulk gets one IMEI per call
 * from `batching`, see applyBatching). GSM Fusion's lists keep the configured size.
 */
export function batchSizeFor(config: ResolvedConfig): number {
  const size = config.submission.batchSize;
  return config.provider.protocol === 'dhru' ? Math.min(size, IMEIS_PER_LIST_CALL) : size;
}

/** Meta key: whether this account's DHRU server has the bulk actions, as learnt read-only (`yes`/`no`). */
export function knownBulkKey(accountId: number): string {
  return `dhruBulk:${accountId}`;
}

/** The options the provider thread builds its client from. */
export function providerClientOptions(config: ResolvedConfig, baseUrl: string, store: Store): ProviderClientOptions {
  const known = store.getMeta(knownBulkKey(store.accounts.currentId));
  return {
    baseUrl,
    username: config.provider.username,
    apiKey: config.provider.apiKey,
    timeoutMs: config.provider.timeoutMs,
    connections: config.submission.concurrency,
    protocol: config.provider.protocol,
    dhru: {
      ...config.provider.dhru,
      ...(known === 'yes' ? { knownBulk: true } : known === 'no' ? { knownBulk: false } : {}),
    },
  };
}

/**
 * Applies the capabilities to the store, before anything is recovered or sent: a server that
 * does not refuse repeats never gets an unknown row again (it is settled from the order ids),
 * and one without lists gets one IMEI per call, all concurrency slots in use.
 */
export function applyCapabilities(store: Store, caps: ProviderCapabilities, config: ResolvedConfig, now: string): void {
  store.settling.policy = {
    resendUnknown: caps.refusesRepeats,
    callMarginMs: config.provider.timeoutMs,
    windowMs: config.retry.maxAgeHours * 3_600_000,
  };
  store.settling.resumeResending(now);
  applyBatching(store, caps, config);
}

/** `submission.batching`, unless the server takes one IMEI per call whatever is configured. */
export function applyBatching(store: Store, caps: ProviderCapabilities, config: ResolvedConfig): void {
  store.batches.batching = caps.imeisPerPlacingCall === 1 ? 'single' : config.submission.batching;
}

/**
 * Learns, read-only, whether a DHRU server has the bulk actions (`provider.dhru.bulk: "auto"`,
 * nothing remembered yet) and remembers it for this account, so the next start does not ask.
 * A failed probe teaches nothing (the client probes again before its first bulk call); bad
 * credentials are thrown.
 */
export async function learnBulkSupport(client: ProviderClient, store: Store, budget: CallBudget, logger: Logger): Promise<void> {
  const probe = client.probeBulk?.bind(client);
  if (probe === undefined || capabilitiesOf(client).hasBulk !== undefined) return;
  try {
    const supported = await budget.run('read', () => probe());
    logger.info({ bulk: supported }, supported ? 'the DHRU server has bulk calls: 100 IMEIs per call' : 'the DHRU server has no bulk calls: one IMEI per call');
  } catch (error) {
    if (error instanceof ProviderAuthError) throw error;
    logger.warn({ err: describeError(error) }, 'cannot learn whether the DHRU server has bulk calls; asked again before the first order');
  }
}

/**
 * What the client knows now, kept and applied: a DHRU server's bulk support can be learnt from
 * any call (a bulk call answered `Invalid Action`). Checked after calls; writes only on a change.
 */
export class CapabilityMemory {
  private lastBulk: boolean | undefined;
  private latest: ProviderCapabilities;

  constructor(
    private readonly client: ProviderClient,
    private readonly store: Store,
    private readonly config: ResolvedConfig,
  ) {
    this.latest = capabilitiesOf(client);
    this.lastBulk = this.latest.hasBulk;
  }

  /** The capabilities as of the last `check` (asked on the hot path, where asking the client each time costs). */
  get current(): ProviderCapabilities {
    return this.latest;
  }

  /** The capabilities now; remembers and applies a change of bulk support. */
  check(): ProviderCapabilities {
    const caps = capabilitiesOf(this.client);
    this.latest = caps;
    if (caps.protocol !== 'dhru' || caps.hasBulk === undefined || caps.hasBulk === this.lastBulk) return caps;
    this.lastBulk = caps.hasBulk;
    this.store.setMeta(knownBulkKey(this.store.accounts.currentId), caps.hasBulk ? 'yes' : 'no');
    applyBatching(this.store, caps, this.config);
    return caps;
  }
}
