/**
 * A GSM Fusion server (or, with `protocol: 'dhru'`, a DHRU Fusion one) for new users, tests and
 * the benchmark (design.md, "Where code lives").
 */
export { startSimulator, ENDPOINT_PATH } from './server.js';
export type {
  DhruSimulatorOptions,
  Simulator,
  SimulatorFaultKind,
  SimulatorFaults,
  SimulatorOptions,
  SimulatorOrder,
  SimulatorProtocol,
  SimulatorStats,
} from './types.js';
export { DHRU_ENDPOINT_PATH } from './dhru/protocol.js';
export { DHRU_SERVICES, findDhruService, type DhruService } from './dhru/catalogue.js';
export { DEFAULT_CREDIT } from './credit.js';
export { buildResultCode, buildResultParts, finalOutcomeFor, INVALID_IMEI_CODE, type FinalOutcome } from './codes.js';
export { SIMULATED_CATALOGUE, findService, type SimulatedService, type ResultKind } from './catalogue.js';
export { hasValidCheckDigit, luhnCheckDigit, withCheckDigit } from './imei.js';
export { FIRST_ORDER_ID } from './orders.js';
export { clockFirstOrderId, defaultFirstOrderId, ORDER_IDS_PER_MS } from './order-ids.js';
export { BROKEN_DECLARATION } from './xml.js';
