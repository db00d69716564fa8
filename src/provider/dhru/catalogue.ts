/**
 * `imeiservicelist` as catalogue entries (dhru-fusion-api.md, "imeiservicelist"): `LIST` keyed
 * by group, `SERVICES` keyed by id, either as objects or as lists. Services that cannot be
 * ordered with an IMEI alone are kept, marked, so `services` can show them and the engine can
 * refuse them before spending money. Pure.
 */
import type { CatalogueEntry } from '../types.js';
import { type JsonObject, type JsonValue, entriesOf, field, fieldText, firstRecord, isObject, textOf, valuesOf } from './json-reply.js';

/** Undefined when the reply holds no `LIST` at all (not a catalogue). */
export function readCatalogue(json: JsonObject): CatalogueEntry[] | undefined {
  const success = firstRecord(field(json, 'SUCCESS'));
  const list = success === undefined ? undefined : field(success, 'LIST');
  if (list === undefined) return undefined;
  const entries: CatalogueEntry[] = [];
  for (const [groupKey, group] of keyedEntries(list)) {
    if (!isObject(group)) continue;
    const category = fieldText(group, 'GROUPNAME') || groupKey;
    const groupType = fieldText(group, 'GROUPTYPE');
    for (const [serviceKey, service] of keyedEntries(field(group, 'SERVICES'))) {
      if (!isObject(service)) continue;
      const entry = catalogueEntry(service, serviceKey, category, groupType);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries;
}

/** Entries with their key, or with an empty key where the PHP array came as a list. */
function keyedEntries(value: JsonValue | undefined): [string, JsonValue][] {
  if (Array.isArray(value)) return value.map((item) => ['', item]);
  return entriesOf(value);
}

function catalogueEntry(service: JsonObject, key: string, category: string, groupType: string): CatalogueEntry | undefined {
  const id = fieldText(service, 'SERVICEID') || key;
  if (id === '') return undefined;
  const serviceType = serviceTypeOf(service, groupType);
  const extraInputs = extraInputsOf(service);
  const entry: CatalogueEntry = {
    id,
    category,
    title: fieldText(service, 'SERVICENAME'),
    price: fieldText(service, 'CREDIT'),
    timeTaken: fieldText(service, 'TIME'),
    mustRead: textOf(field(service, 'INFO')).trim(),
    serviceType,
    extraInputs,
    orderableByImei: true,
  };
  const reason = notOrderableReason(serviceType, extraInputs);
  if (reason !== undefined) {
    entry.orderableByImei = false;
    entry.notOrderableReason = reason;
  }
  return entry;
}

const TYPE_BY_TEXT: ReadonlyMap<string, string> = new Map([
  ['IMEI', 'IMEI'],
  ['SERVER', 'SERVER'],
  ['REMOTE', 'REMOTE'],
  ['FILE', 'FILE'],
  // One panel numbers the types.
  ['0', 'IMEI'],
  ['1', 'SERVER'],
  ['2', 'REMOTE'],
]);

/** `SERVICETYPE`, else the group's `GROUPTYPE`, else a `SERVER` flag; an IMEI list's default is IMEI. */
function serviceTypeOf(service: JsonObject, groupType: string): string {
  const raw = fieldText(service, 'SERVICETYPE') || groupType || fieldText(service, 'SERVER') || 'IMEI';
  const upper = raw.toUpperCase();
  return TYPE_BY_TEXT.get(upper) ?? upper;
}

/** Words that mean an input is not needed. */
const NOT_NEEDED = new Set(['', 'none', 'no', '0', 'false', 'not required', 'optional', 'null']);

/** Names of the inputs the service needs besides the IMEI: `Requires.*` not `None`, required custom fields. */
function extraInputsOf(service: JsonObject): string[] {
  const needed: string[] = [];
  const requirements: [string, JsonValue][] = [];
  for (const [key, value] of Object.entries(service)) {
    const match = /^requires\.(.+)$/i.exec(key);
    if (match?.[1] !== undefined) requirements.push([match[1], value]);
  }
  // Some servers nest them: `"Requires": {"Network": "None", ...}`.
  const nested = field(service, 'Requires');
  if (isObject(nested)) requirements.push(...Object.entries(nested));
  for (const [name, value] of requirements) {
    if (name.toLowerCase() === 'custom') needed.push(...requiredCustomFields(value));
    else if (!NOT_NEEDED.has(textOf(value).trim().toLowerCase())) needed.push(name);
  }
  return needed;
}

/** Custom inputs (`fieldname`, `required`...); one without a `required` flag counts as needed. */
function requiredCustomFields(value: JsonValue): string[] {
  const names: string[] = [];
  for (const custom of valuesOf(value)) {
    if (!isObject(custom)) continue;
    const required = field(custom, 'required');
    const isRequired = required === undefined || !NOT_NEEDED.has(textOf(required).trim().toLowerCase());
    if (isRequired) names.push(fieldText(custom, 'fieldname') || fieldText(custom, 'name') || 'a custom field');
  }
  return names;
}

function notOrderableReason(serviceType: string, extraInputs: readonly string[]): string | undefined {
  if (serviceType !== 'IMEI') return `a ${serviceType} service, not an IMEI service`;
  if (extraInputs.length > 0) return `needs more than the IMEI: ${extraInputs.join(', ')}`;
  return undefined;
}
