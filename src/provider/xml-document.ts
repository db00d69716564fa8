/**
 * Tolerant reading of a GSM Fusion reply body into a small tree of plain objects, with no I/O.
 * The live server is sloppy (a broken `<?phpxml ...?>` declaration, bare `&` in titles, `<br>`
 * in free text), but a body cut short must never pass as a complete reply: a truncated
 * `placeorder` reply that parsed "fine" would silently lose paid orders.
 */
import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { scanXmlTree } from './xml-scan.js';

/** The body is not a readable reply: empty, cut short, not XML, an HTML page. */
export class ReplyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyParseError';
  }
}

/** The provider answered with `<error>text</error>`: it refused the call. */
export class ProviderRefusal extends Error {
  /** The provider's own text, trimmed (it may be empty). */
  readonly providerMessage: string;
  constructor(providerMessage: string) {
    super(`provider refused the call: ${providerMessage}`);
    this.name = 'ProviderRefusal';
    this.providerMessage = providerMessage;
  }
}

/** A parsed element: its text when it has no children, otherwise its children by lower-case name. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  [name: string]: XmlNode | XmlNode[];
}

/** The one top-level element of a reply. */
export interface ReplyRoot {
  /** Lower-case tag name, e.g. `result`, `error`, `packages`. */
  name: string;
  node: XmlNode;
}

/** Our own wrapper, so that a reply with several top-level elements still validates. */
const WRAPPER = 'gsmfusionreply';
const TEXT_KEY = '#text';

/**
 * How a reply is parsed. Exported as the one source of truth for the tests that hold the fast
 * scanner (xml-scan.ts) to exactly the parser's output.
 */
export const REPLY_PARSER_OPTIONS: Readonly<X2jOptions> = {
  ignoreAttributes: true,
  // Order ids like `0123` and 15-digit IMEIs must stay exactly as sent.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: true,
  textNodeName: TEXT_KEY,
  // Tag names differ in case between the manual and live servers (`PackageId`, `packageid`).
  transformTagName: (name) => name.toLowerCase(),
};

const parser = new XMLParser(REPLY_PARSER_OPTIONS);

/**
 * Reads a body into its root element. Throws `ReplyParseError` for anything that is not one
 * complete XML reply. Does not interpret `<error>`: see `rejectIfRefusal`.
 */
export function readReply(body: string): ReplyRoot {
  const cleaned = repairBody(body);
  if (cleaned === '') throw new ReplyParseError('empty reply');
  if (!cleaned.startsWith('<')) throw new ReplyParseError('reply is not XML');
  if (/^<!doctype\s+html|^<html[\s>]/i.test(cleaned)) throw new ReplyParseError('reply is an HTML page, not XML');

  const wrapped = `<${WRAPPER}>${cleaned}</${WRAPPER}>`;
  // The scanner reads ordinary replies in a fraction of the time and gives up on anything it is
  // not sure of; fast-xml-parser then decides, and words the error for a body cut short.
  const document: unknown = scanXmlTree(wrapped) ?? validateAndParse(wrapped);
  const top = isElement(document) ? document[WRAPPER] : undefined;
  if (!isElement(top)) throw new ReplyParseError('reply holds no XML element');

  const names = Object.keys(top).filter((name) => name !== TEXT_KEY);
  const [name] = names;
  if (name === undefined) throw new ReplyParseError('reply holds no XML element');
  if (name === 'html') throw new ReplyParseError('reply is an HTML page, not XML');
  if (names.length > 1) {
    // Several different top-level elements: treat the whole reply as one element holding them,
    // so that `<Package>` elements without their `<Packages>` wrapper still read.
    return { name: WRAPPER, node: top };
  }
  const value = top[name];
  if (Array.isArray(value)) return { name: WRAPPER, node: top };
  return { name, node: value ?? '' };
}

function validateAndParse(wrapped: string): unknown {
  const verdict = XMLValidator.validate(wrapped);
  if (verdict !== true) {
    throw new ReplyParseError(`reply is cut short or malformed XML (${verdict.err.msg})`);
  }
  try {
    return parser.parse(wrapped);
  } catch (error) {
    // The parser throws a plain Error for what it will not build (over 100 nested tags, a tag
    // named `__proto__`): still an unreadable reply, and classified as one.
    throw new ReplyParseError(`reply could not be read as XML (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Throws `ProviderRefusal` when the reply is `<error>`, or a `<result>` holding only an `<error>`. */
export function rejectIfRefusal(root: ReplyRoot): void {
  if (root.name === 'error') throw new ProviderRefusal(textOf(root.node));
  if (root.name === 'result' && isElement(root.node)) {
    const names = Object.keys(root.node);
    if (names.length === 1 && names[0] === 'error') throw new ProviderRefusal(textOf(root.node['error']));
  }
}

/** The children named `name` (lower case), as a list whether there were none, one or many. */
export function childList(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!isElement(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first child named `name`, or undefined. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return childList(node, name)[0];
}

/** The text of a node; nested markup (HTML inside free text) is flattened to its text. */
export function textOf(node: XmlNode | XmlNode[] | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.trim();
  if (Array.isArray(node)) return node.map((item) => textOf(item)).filter((text) => text !== '').join(' ');
  const own = node[TEXT_KEY];
  const parts = [textOf(own)];
  for (const [name, value] of Object.entries(node)) {
    if (name !== TEXT_KEY) parts.push(textOf(value));
  }
  return parts.filter((text) => text !== '').join(' ');
}

/** The text of the first child named `name`, or '' when absent. */
export function childText(node: XmlNode | undefined, name: string): string {
  return textOf(child(node, name));
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Repairs what live servers get wrong and is safe to repair: a byte-order mark, any leading
 * `<?...?>` declaration (notably `<?phpxml ...?>`), a bare `&` (`AT&T`), and `<br>` written
 * HTML-style inside text. A body cut short is left as it is, so validation still catches it.
 */
function repairBody(body: string): string {
  let text = body.replace(/^\uFEFF/, '').trim();
  while (text.startsWith('<?')) {
    const end = text.indexOf('?>');
    if (end === -1) return text; // an unterminated declaration: let validation reject it
    text = text.slice(end + 2).trimStart();
  }
  text = text.replace(/&(?!#\d+;|#x[0-9a-f]+;|[a-z][a-z0-9]*;)/gi, '&amp;');
  text = text.replace(/<br\s*\/?>/gi, '\n');
  return text.trim();
}
