/**
 * The per-server DHRU settings (daemon-contract.md, `provider.dhru.*`) with their defaults.
 * Plain data, so they cross into the provider thread.
 */
import type { SingleEncoding } from './parameters.js';
import { type DhruRefusalPatterns, refusalPatterns } from './refusals.js';

/** `provider.dhru.bulk`: use the bulk actions where the server has them (`auto`), always, or never. */
export type DhruBulkMode = 'auto' | 'on' | 'off';

export const DHRU_BULK_MODES: readonly DhruBulkMode[] = ['auto', 'on', 'off'];

export interface DhruSettings {
  /** `provider.dhru.singleEncoding`: `parameters` of single calls. Default `xml`; bulk calls always send base64 JSON. */
  singleEncoding?: SingleEncoding;
  /**
   * `provider.dhru.bulk`. Default `auto`: probe read-only before the first bulk placing call,
   * and fall back to one call per IMEI (remembered) where the server answers `Invalid Action`,
   * nothing, or a reply not keyed by our references to a bulk call.
   */
  bulk?: DhruBulkMode;
  /**
   * `provider.dhru.refusesRepeats`. Default false: the server may order and charge the same IMEI
   * again, so an unknown outcome must never simply be resent. Reported in `capabilities()`; the
   * client itself never resends anything.
   */
  refusesRepeats?: boolean;
  /**
   * With `bulk: "auto"`: what an earlier probe of this server learnt (the engine keeps it per
   * server), so a restart does not probe again. Default: unknown.
   */
  knownBulk?: boolean;
  /** Refusal texts by meaning; each list given replaces its default (refusals.ts). */
  refusalPatterns?: Partial<DhruRefusalPatterns>;
}

export interface ResolvedDhruSettings {
  singleEncoding: SingleEncoding;
  bulk: DhruBulkMode;
  refusesRepeats: boolean;
  knownBulk: boolean | undefined;
  patterns: DhruRefusalPatterns;
}

export function resolveDhruSettings(settings: DhruSettings = {}): ResolvedDhruSettings {
  return {
    singleEncoding: settings.singleEncoding ?? 'xml',
    bulk: settings.bulk ?? 'auto',
    refusesRepeats: settings.refusesRepeats ?? false,
    knownBulk: settings.knownBulk,
    patterns: refusalPatterns(settings.refusalPatterns),
  };
}

/** Whether the server is taken to have bulk actions before anything is learnt. */
export function initialBulk(settings: ResolvedDhruSettings): boolean | undefined {
  if (settings.bulk === 'on') return true;
  if (settings.bulk === 'off') return false;
  return settings.knownBulk;
}
