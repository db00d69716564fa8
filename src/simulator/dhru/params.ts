/**
 * The `parameters` field as DHRU servers read it: XML `<PARAMETERS><ID>..</ID>...</PARAMETERS>`,
 * or base64 of a JSON object. Like PHP's decoder, Node's base64 skips characters it does not
 * know, so a `+` that arrived as a space yields garbage that then fails as JSON.
 */

/** Which encodings single actions read (DhruSimulatorOptions.singleEncoding). */
export type AcceptedEncoding = 'both' | 'json' | 'xml';

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_entity, name: string) => XML_ENTITIES[name] ?? '');
}

/** Element texts of `<PARAMETERS>`, by upper-cased name; undefined when it is not that XML. */
function readXml(raw: string): Map<string, string> | undefined {
  const body = /^\s*<PARAMETERS>([\s\S]*)<\/PARAMETERS>\s*$/i.exec(raw)?.[1];
  if (body === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const match of body.matchAll(/<([A-Za-z_][\w.-]*)>([^<]*)<\/\1>/g)) {
    const [, name, text] = match;
    if (name !== undefined && text !== undefined) fields.set(name.toUpperCase(), decodeXmlText(text));
  }
  return fields;
}

/** The JSON value a base64 text holds; undefined when it holds none. */
function readBase64Json(raw: string): unknown {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(raw)) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A JSON object's scalar fields, names upper-cased. */
function fieldsOf(value: unknown): Map<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = new Map<string, string>();
  for (const [name, item] of Object.entries(value)) {
    const text = scalarText(item);
    if (text !== undefined) fields.set(name.toUpperCase(), text);
  }
  return fields;
}

/** A single action's parameters, if sent in an encoding the server reads. */
export function readSingleParameters(raw: string | undefined, accepts: AcceptedEncoding): Map<string, string> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.trimStart().startsWith('<')) return accepts === 'json' ? undefined : readXml(raw);
  return accepts === 'xml' ? undefined : fieldsOf(readBase64Json(raw));
}

/** A bulk action's rows (base64 JSON only, on every source), keyed by the caller's references. */
export function readBulkParameters(raw: string | undefined): [string, Map<string, string>][] | undefined {
  if (raw === undefined) return undefined;
  const value = readBase64Json(raw);
  if (typeof value !== 'object' || value === null) return undefined;
  // A list also works; its rows come back keyed "0", "1", ...
  const entries = Array.isArray(value) ? value.map((row, index): [string, unknown] => [String(index), row]) : Object.entries(value);
  const rows: [string, Map<string, string>][] = [];
  for (const [reference, row] of entries) rows.push([reference, fieldsOf(row) ?? new Map()]);
  return rows;
}
