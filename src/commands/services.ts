import type { ResolvedConfig } from '../config/load.js';
import { createProviderClient } from '../provider/index.js';
import type { CatalogueEntry } from '../provider/types.js';
import { formatCredits } from '../report/credits.js';
import { startSimulator } from '../simulator/index.js';
import { openStoreReadOnly, print } from './read-only.js';

/** The catalogue the daemon cached; empty when it never fetched one. */
function cachedCatalogue(config: ResolvedConfig): CatalogueEntry[] {
  const db = openStoreReadOnly(config);
  if (!db) return [];
  try {
    // A database the daemon has not opened since the upgrade lacks migration 13's columns.
    const marked = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('services') as string[]).includes('not_orderable');
    const rows = db
      .prepare(
        `SELECT id, category, title, price, time_taken AS timeTaken, must_read AS mustRead,
                ${marked ? 'service_type' : 'NULL'} AS serviceType, ${marked ? 'not_orderable' : 'NULL'} AS notOrderable
           FROM services ORDER BY CAST(id AS INTEGER)`,
      )
      .all() as (CatalogueEntry & { serviceType: string | null; notOrderable: string | null })[];
    return rows.map(({ serviceType, notOrderable, ...entry }) => ({
      ...entry,
      ...(serviceType === null ? {} : { serviceType }),
      ...(notOrderable === null ? {} : { orderableByImei: false, notOrderableReason: notOrderable }),
    }));
  } finally {
    db.close();
  }
}

/** Asks the provider (or the built-in simulator, without an API key) directly. */
async function liveCatalogue(config: ResolvedConfig): Promise<CatalogueEntry[]> {
  const protocol = config.provider.protocol;
  const simulator = config.simulated ? await startSimulator({ latencyMs: 0, protocol }) : undefined;
  const client = createProviderClient({
    baseUrl: simulator?.url ?? config.provider.baseUrl,
    username: config.provider.username,
    apiKey: config.provider.apiKey,
    timeoutMs: config.provider.timeoutMs,
    connections: 1,
    protocol,
    dhru: config.provider.dhru,
  });
  try {
    return await client.listServices();
  } finally {
    await client.close();
    await simulator?.close();
  }
}

function matches(entry: CatalogueEntry, word: string): boolean {
  return `${entry.id} ${entry.title} ${entry.category}`.toLowerCase().includes(word.toLowerCase());
}

/** `services [--search WORD] [--json]`: id, title, price and delivery time, as a table. */
export async function printServices(config: ResolvedConfig, search: string | undefined, json: boolean): Promise<void> {
  let entries = cachedCatalogue(config);
  if (entries.length === 0) entries = await liveCatalogue(config);
  const shown = search ? entries.filter((entry) => matches(entry, search)) : entries;
  if (json) return print(JSON.stringify(shown, null, 2));
  if (shown.length === 0) return print(search ? `No service matches "${search}".` : 'The provider lists no services.');
  // A service a spreadsheet of IMEIs cannot order (DHRU: SERVER services, or ones needing more inputs) is shown marked.
  const rows = shown.map((e) => [e.id, e.orderableByImei === false ? `${e.title} [not orderable by IMEI: ${e.notOrderableReason ?? 'not an IMEI service'}]` : e.title, formatCredits(e.price), e.timeTaken]);
  const header = ['ID', 'SERVICE', 'PRICE', 'DELIVERY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  print(line(header));
  for (const row of rows) print(line(row));
  if (config.simulated) print('(simulated: no API key configured, this is the built-in simulator\'s catalogue)');
}
