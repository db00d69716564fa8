/** The DHRU Fusion protocol (dhru-fusion-api.md): the client and the pieces the engine may name. */
export { DhruClient, type DhruClientOptions } from './dhru-client.js';
export { DHRU_BULK_MODES, type DhruBulkMode, type DhruSettings, resolveDhruSettings } from './settings.js';
export { SINGLE_ENCODINGS, type SingleEncoding } from './parameters.js';
export { DEFAULT_REFUSAL_PATTERNS, type DhruRefusalPatterns } from './refusals.js';
export { dhruStatus } from './results.js';
export { parseCredit } from './account.js';
export { DHRU_API_PATH, dhruEndpointPath } from './transport.js';
