/** The simulator's `imeiservices` catalogue: a few services shaped like the live ones. */
import type { CatalogueEntry } from '../provider/types.js';

/** Which kind of result text a service produces (see codes.ts). */
export type ResultKind = 'apple-checker' | 'samsung-checker' | 'blacklist-checker' | 'apple-unlock' | 'samsung-unlock';

export interface SimulatedService extends CatalogueEntry {
  resultKind: ResultKind;
}

// Titles and MustRead keep `&` and HTML on purpose: the live catalogue has both, so clients
// must unescape them.
export const SIMULATED_CATALOGUE: readonly SimulatedService[] = [
  {
    id: '1739',
    category: 'Apple iPhone Check Services',
    title: 'iPhone Full Info Check - Carrier + SimLock + FMI + GSMA',
    price: '0.08',
    timeTaken: '1-5 Minutes',
    mustRead: 'Works for all iPhone models. <br>Result: model, carrier, SimLock, Find My iPhone & GSMA status.',
    resultKind: 'apple-checker',
  },
  {
    id: '269',
    category: 'Samsung Check Services',
    title: 'Samsung Info Check - Model + Carrier + Warranty + SimLock',
    price: '0.05',
    timeTaken: '1-10 Minutes',
    mustRead: 'Samsung devices only. Non-Samsung IMEIs are rejected & not refunded.',
    resultKind: 'samsung-checker',
  },
  {
    id: '1650',
    category: 'Generic IMEI Check Services',
    title: 'GSMA Blacklist Status Check - All Brands',
    price: '0.03',
    timeTaken: 'Instant',
    mustRead: '',
    resultKind: 'blacklist-checker',
  },
  {
    id: '1001',
    category: 'iPhone Unlock Services',
    title: 'iPhone Factory Unlock - AT&T USA Clean (All Models)',
    price: '35.00',
    timeTaken: '3-7 Days',
    mustRead: '<b>Clean IMEIs only.</b> Blacklisted, unpaid or active-line devices are rejected. No cancellations.',
    resultKind: 'apple-unlock',
  },
  {
    id: '2001',
    category: 'Samsung Unlock Services',
    title: 'Samsung USA Unlock Code - T-Mobile / MetroPCS',
    price: '12.50',
    timeTaken: '1-2 Days',
    mustRead: 'Enter the code when the phone asks for a "Network Lock Control Key".',
    resultKind: 'samsung-unlock',
  },
];

export function findService(serviceId: string): SimulatedService | undefined {
  return SIMULATED_CATALOGUE.find((service) => service.id === serviceId);
}
