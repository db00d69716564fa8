/**
 * A fast path for reading a reply: one pass over the text with indexOf/charCodeAt, building
 * exactly the tree that `XMLParser.parse` builds with `REPLY_PARSER_OPTIONS` (xml-document.ts),
 * but only for a deliberately small subset of XML: plain elements, ignored attributes, text
 * with a few entities. Anything outside the subset, and anything not certainly complete and
 * well formed, gives `undefined`, and the caller falls back to fast-xml-parser's validator and
 * parser. So this may refuse valid XML, but must never accept what the validator rejects, and
 * must never build a tree that differs from the parser's.
 *
 * Outside the subset: comments, CDATA, DOCTYPE, processing instructions, non-ASCII names,
 * mixed content (text beside child elements), `<` in attribute values, boolean or repeated
 * attributes, entities other than those below, numeric references to characters the parser
 * drops (NUL, C0 controls, surrogates), nesting deeper than MAX_DEPTH, and anything after the
 * root element but whitespace.
 */
import type { XmlElement, XmlNode } from './xml-document.js';

const GT = 0x3e; // >
const SLASH = 0x2f; // /
const EQUALS = 0x3d; // =
const QUOTE = 0x22; // "
const APOSTROPHE = 0x27; // '

/** fast-xml-parser throws past 100 nested tags; anything close to that is left to it. */
const MAX_DEPTH = 64;

/**
 * Named entities decoded, each also decoded by fast-xml-parser with `htmlEntities: true`
 * (its XML, COMMON_HTML and CURRENCY tables) to the same text. Any other name is left to the
 * parser, which leaves unknown ones as written.
 */
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae',
    trade: '\u2122', ndash: '\u2013', mdash: '\u2014', hellip: '\u2026', euro: '\u20ac', pound: '\u00a3',
  }),
);

/** Lower-case names that fast-xml-parser refuses (prototype pollution) or that a plain object already has. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

interface TagName {
  /** As written: the validator matches close tags to it case-sensitively. */
  name: string;
  /** Lower case, as `transformTagName` makes it: the key in the parent. */
  key: string;
}

/** An element whose close tag has not been read yet. */
interface OpenElement {
  tag: TagName;
  /** Set once a child element has been read; the element is then not a text leaf. */
  children: XmlElement | undefined;
}

/** Replies repeat a handful of names; more than this many different ones are not remembered. */
const MAX_REMEMBERED_NAMES = 32;

/** The tree `XMLParser.parse(xml)` would return, or undefined when `xml` is outside the subset. */
export function scanXmlTree(xml: string): XmlElement | undefined {
  const open: OpenElement[] = [];
  const names: TagName[] = [];
  // Index just past the last tag read: where the text before the next tag starts.
  let textStart = 0;
  for (;;) {
    const lt = xml.indexOf('<', textStart);
    if (lt === -1) return undefined; // text runs to the end: something is still open
    const current = open[open.length - 1];
    const next = xml.charCodeAt(lt + 1);

    if (next === SLASH) {
      if (current === undefined) return undefined; // a close tag with nothing open
      const { name, key } = current.tag;
      if (!xml.startsWith(name, lt + 2)) return undefined;
      const gt = skipSpace(xml, lt + 2 + name.length);
      if (xml.charCodeAt(gt) !== GT) return undefined; // a longer name, attributes or cut short
      let value: XmlNode | undefined;
      if (current.children !== undefined) {
        value = isBlank(xml, textStart, lt) ? current.children : undefined; // text after a child: mixed
      } else {
        value = textValue(xml.slice(textStart, lt));
      }
      if (value === undefined) return undefined;
      open.pop();
      textStart = gt + 1;
      const parent = open[open.length - 1];
      if (parent === undefined) return rootOnly(xml, textStart, key, value);
      addChild(parent, key, value);
      continue;
    }

    // An open tag. Text before it is text beside a child element (or before the root).
    if (!isNameStart(next) || !isBlank(xml, textStart, lt)) return undefined;
    const nameEnd = skipName(xml, lt + 1);
    const tagEnd = skipAttributes(xml, nameEnd);
    if (tagEnd === -1) return undefined;
    const tag = tagNameAt(xml, lt + 1, nameEnd, names);
    if (tag === undefined) return undefined;
    const selfClosing = xml.charCodeAt(tagEnd) === SLASH;
    textStart = selfClosing ? tagEnd + 2 : tagEnd + 1;
    if (selfClosing) {
      // The parser gives an empty element the empty string, like `<a></a>`.
      if (current === undefined) return rootOnly(xml, textStart, tag.key, '');
      addChild(current, tag.key, '');
    } else {
      if (open.length >= MAX_DEPTH) return undefined;
      open.push({ tag, children: undefined });
    }
  }
}

/**
 * The name at `start..end`, reusing the strings of a name seen before: no slicing or lower-casing
 * per element, and the same key string every time, which makes the property stores cheaper.
 */
function tagNameAt(xml: string, start: number, end: number, remembered: TagName[]): TagName | undefined {
  const length = end - start;
  for (const known of remembered) {
    if (known.name.length === length && xml.startsWith(known.name, start)) return known;
  }
  const name = xml.slice(start, end);
  const key = name.toLowerCase();
  if (RESERVED_KEYS.has(key)) return undefined;
  const tag = { name, key };
  if (remembered.length < MAX_REMEMBERED_NAMES) remembered.push(tag);
  return tag;
}

/** The document once its root element is closed: nothing but whitespace may follow it. */
function rootOnly(xml: string, from: number, key: string, value: XmlNode): XmlElement | undefined {
  return isBlank(xml, from, xml.length) ? { [key]: value } : undefined;
}

/** Repeated names become an array, in document order, under the key of their first appearance. */
function addChild(parent: OpenElement, key: string, value: XmlNode): void {
  const children = (parent.children ??= {});
  const existing = children[key];
  if (existing === undefined) children[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else children[key] = [existing, value];
}

/**
 * After the tag name: attributes (`name="value"` or `name='value'`, each after whitespace),
 * then `>` or `/>`. Returns the index of that `>` or `/`, or -1 when outside the subset.
 * The parser ignores attributes, so only their syntax matters, checked as the validator does.
 */
function skipAttributes(xml: string, from: number): number {
  let position = from;
  let seen: string[] | undefined;
  for (;;) {
    const code = xml.charCodeAt(position);
    if (code === GT) return position;
    if (code === SLASH) return xml.charCodeAt(position + 1) === GT ? position : -1;
    if (!isSpace(code)) return -1; // a name directly after a name or a value, a stray quote, ...
    position = skipSpace(xml, position);
    const nameStart = position;
    if (!isNameStart(xml.charCodeAt(nameStart))) continue; // only `>` or `/>` may follow
    position = skipName(xml, nameStart);
    const name = xml.slice(nameStart, position);
    if (seen?.includes(name) === true) return -1; // the validator refuses a repeated attribute
    (seen ??= []).push(name);
    position = skipSpace(xml, position);
    if (xml.charCodeAt(position) !== EQUALS) return -1; // a boolean attribute
    position = skipSpace(xml, position + 1);
    const quote = xml.charCodeAt(position);
    if (quote !== QUOTE && quote !== APOSTROPHE) return -1;
    const valueEnd = xml.indexOf(quote === QUOTE ? '"' : "'", position + 1);
    // `<` in a value is legal, but is also what a body cut inside a value and then wrapped looks like.
    if (valueEnd === -1 || xml.slice(position + 1, valueEnd).includes('<')) return -1;
    position = valueEnd + 1;
  }
}

/**
 * A leaf's text as the parser stores it: CR LF and lone CR made LF (the parser does so to the
 * whole document first), trimmed, then entities decoded, so `&#32;` at an edge survives the trim.
 */
function textValue(raw: string): string | undefined {
  let text = raw.trim();
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return text.includes('&') ? decodeEntities(text) : text;
}

/** Entities decoded in one pass, like the parser's decoder; undefined for any reference not known here. */
function decodeEntities(text: string): string | undefined {
  let decoded = '';
  let copied = 0;
  for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', copied)) {
    const semicolon = text.indexOf(';', amp + 1);
    if (semicolon === -1 || semicolon - amp > 10) return undefined; // a bare `&` or a long reference
    const replacement = decodeReference(text.slice(amp + 1, semicolon));
    if (replacement === undefined) return undefined;
    decoded += text.slice(copied, amp) + replacement;
    copied = semicolon + 1;
  }
  return decoded + text.slice(copied);
}

/**
 * The text of `&reference;`. Numeric references must be what the validator accepts (decimal
 * digits, or a lower-case `x` and hex digits) and name a character the decoder keeps as it is.
 */
function decodeReference(reference: string): string | undefined {
  if (reference.charCodeAt(0) !== 0x23 /* # */) return NAMED_ENTITIES.get(reference);
  const hex = reference.charCodeAt(1) === 0x78; /* x */
  const digits = reference.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) return undefined;
  const codePoint = Number.parseInt(digits, hex ? 16 : 10);
  const kept =
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0x10ffff);
  return kept ? String.fromCodePoint(codePoint) : undefined;
}

/** Only XML's own whitespace counts as blank: other text beside elements is left to the parser. */
function isBlank(xml: string, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) {
    if (!isSpace(xml.charCodeAt(index))) return false;
  }
  return true;
}

function skipSpace(xml: string, from: number): number {
  let index = from;
  while (isSpace(xml.charCodeAt(index))) index += 1;
  return index;
}

function skipName(xml: string, from: number): number {
  let index = from + 1;
  while (isNameChar(xml.charCodeAt(index))) index += 1;
  return index;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** ASCII letters and `_`: a strict subset of what the validator takes as a name's first character. */
function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0x3a;
}
