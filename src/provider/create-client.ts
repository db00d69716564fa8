/**
 * The one place a provider client is built: the protocol named in the options picks the class.
 * The provider thread, `services` and the tests all come through here (design.md, "Seams").
 */
import { GSM_FUSION_CAPABILITIES, type ProviderCapabilities, dhruCapabilities } from './capabilities.js';
import { DhruClient } from './dhru/dhru-client.js';
import { initialBulk, resolveDhruSettings } from './dhru/settings.js';
import { dhruEndpointPath } from './dhru/transport.js';
import { GsmFusionClient, parseBaseUrl } from './gsmfusion-client.js';
import type { ProviderClientOptions } from './options.js';
import type { ProviderClient } from './types.js';

export function createProviderClient(options: ProviderClientOptions): ProviderClient {
  const protocol = options.protocol ?? 'gsmfusion';
  switch (protocol) {
    case 'gsmfusion':
      return new GsmFusionClient(options);
    case 'dhru':
      return new DhruClient(options);
  }
}

/**
 * What a client built from these options offers before any call (DHRU's bulk support as
 * configured or remembered). Throws ConfigError for a bad base URL, as the constructors do.
 */
export function initialCapabilities(options: ProviderClientOptions): ProviderCapabilities {
  if ((options.protocol ?? 'gsmfusion') === 'gsmfusion') {
    parseBaseUrl(options.baseUrl);
    return { ...GSM_FUSION_CAPABILITIES };
  }
  dhruEndpointPath(options.baseUrl);
  const settings = resolveDhruSettings(options.dhru);
  return dhruCapabilities(settings.refusesRepeats, initialBulk(settings));
}

/** The capabilities of any client: its own, or GSM Fusion's for a client without the method. */
export function capabilitiesOf(client: ProviderClient): ProviderCapabilities {
  return client.capabilities?.() ?? { ...GSM_FUSION_CAPABILITIES };
}
