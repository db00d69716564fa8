/**
 * The `parameters` form field of DHRU calls (dhru-fusion-api.md, "Transport"): XML with
 * upper-cased names (the vendor's 2012 kit), or base64 of a JSON object (the 6.1 template, and
 * every bulk action). Pure.
 */

/** How single actions (`placeimeiorder`, `getimeiorder`) encode `parameters`. Bulk actions always take base64 JSON. */
export type SingleEncoding = 'xml' | 'json';

export const SINGLE_ENCODINGS: readonly SingleEncoding[] = ['xml', 'json'];

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `&`, `<` and `>` escaped: one panel HTML-unescapes the whole field before parsing it. */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => XML_ESCAPES[char] ?? char);
}

/** `<PARAMETERS><ID>1739</ID><IMEI>...</IMEI></PARAMETERS>`, names upper-cased as the kit does. */
export function xmlParameters(fields: Readonly<Record<string, string>>): string {
  const elements = Object.entries(fields).map(([name, value]) => {
    const tag = name.toUpperCase();
    if (!/^[A-Z_][A-Z0-9_.-]*$/.test(tag)) throw new Error(`not an XML element name: ${name}`);
    return `<${tag}>${escapeXmlText(value)}</${tag}>`;
  });
  return `<PARAMETERS>${elements.join('')}</PARAMETERS>`;
}

/**
 * base64 of the JSON text of `value`. The result holds `+`, `/` and `=`: it must travel
 * form-encoded (a bare `+` arrives as a space, and PHP's decoder then yields the wrong bytes).
 */
export function base64JsonParameters(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** The `parameters` of a single action in the configured encoding. */
export function singleParameters(encoding: SingleEncoding, fields: Readonly<Record<string, string>>): string {
  return encoding === 'xml' ? xmlParameters(fields) : base64JsonParameters(fields);
}
