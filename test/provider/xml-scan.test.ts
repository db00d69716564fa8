/**
 * The fast scanner must build exactly fast-xml-parser's tree, with the options readReply uses,
 * and must never accept what the validator refuses, least of all a reply cut short. It may
 * refuse valid XML (readReply then falls back to fast-xml-parser), but not the ordinary replies
 * the provider and the simulator send, or the fast path would be worth nothing.
 */
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPLY_PARSER_OPTIONS, ReplyParseError, readReply } from '../../src/provider/xml-document.js';
import { scanXmlTree } from '../../src/provider/xml-scan.js';
import { SIMULATED_CATALOGUE } from '../../src/simulator/catalogue.js';
import { buildResultCode } from '../../src/simulator/codes.js';
import { renderCatalogue, renderError, renderOrderResults, renderPlacement } from '../../src/simulator/xml.js';

/** Fixed so a run is repeatable; set FC_SEED to explore other documents. */
const SEED = Number(process.env.FC_SEED ?? 20_240_611);
const NUM_RUNS = Number(process.env.FC_RUNS ?? 300);

const parser = new XMLParser(REPLY_PARSER_OPTIONS);
const wrap = (body: string): string => `<gsmfusionreply>${body}</gsmfusionreply>`;

/** Same tree, and same key order too: `textOf` and readReply's root pick depend on it. */
function expectSameAsParser(xml: string): void {
  const scanned = scanXmlTree(xml);
  expect(scanned, xml).toBeDefined();
  const parsed: unknown = parser.parse(xml);
  expect(scanned).toEqual(parsed);
  expect(JSON.stringify(scanned)).toBe(JSON.stringify(parsed));
}

const imeiOf = (index: number): string => String(353_370_080_000_000 + index * 7);

describe('scanXmlTree on real reply shapes', () => {
  const placed = Array.from({ length: 100 }, (_, index) => ({
    orderId: String(15_556_534 + index),
    imei: imeiOf(index),
  }));
  const orders = Array.from({ length: 20 }, (_, index) => ({
    orderId: String(15_556_534 + index),
    imei: imeiOf(index),
    serviceId: ['1739', '269', '1650', '1001', '2001'][index % 5] ?? '1739',
    status: index % 3 === 0 ? ('Rejected' as const) : ('Completed' as const),
    code: index % 3 === 0 ? 'Invalid_IMEI' : buildResultCode(['1739', '269', '1650'][index % 3] ?? '1739', imeiOf(index)),
    requestedAt: '2024-01-02 03:04:05',
    placedAt: 0,
  }));

  it.each([
    [
      'placeorder of 100 with duplicates and errors',
      renderPlacement({ placed, duplicates: [imeiOf(200), imeiOf(201)], malformed: ['12345', 'abc'] }),
    ],
    ['placeorder with one of each', renderPlacement({ placed: placed.slice(0, 1), duplicates: [imeiOf(9)], malformed: ['1'] })],
    ['getimeis with words', renderOrderResults(orders, () => 'Apple <Checker> & "more"', false)],
    ['getimeis with numbers', renderOrderResults(orders, () => 'Unlock', true)],
    ['an empty getimeis', renderOrderResults([], () => '', false)],
    ['the catalogue with its wrapper', renderCatalogue(SIMULATED_CATALOGUE, true)],
    ['the catalogue without its wrapper', renderCatalogue(SIMULATED_CATALOGUE, false)],
    ['an error', renderError('Invalid API Key!')],
    ['an error with an escaped text', renderError('IMEI <already> exists & "so" it\'s refused')],
  ])('reads %s exactly as fast-xml-parser', (_name, body) => {
    expectSameAsParser(wrap(body));
  });

  it.each([
    [
      'the manual placeorder shape, pretty printed with CR LF',
      `<result>\r\n  <imeis><id>15556534</id><imei>353370080089458</imei><status>Pending</status></imeis>\r\n` +
        `  <imeis>\r\n    <id>15556535</id>\r\n    <imei>353370080089459</imei>\r\n    <status>1</status>\r\n  </imeis>\r\n` +
        `  <imeiduplicates><imei>351685051003195,351685051003196</imei></imeiduplicates>\r\n` +
        `  <imeierrors><imei>123</imei><imei>456</imei></imeierrors>\r\n</result>`,
    ],
    [
      'a code with entities, line breaks and text that survives the trim',
      '<result><imeis><id>1</id><code>Carrier: T-Mobile USA &amp; more - Model: &quot;iPhone&quot; &lt;11&gt;\n' +
        'Find My iPhone: ON&#10;&#x9;SimLock: Unlocked&#32;</code></imeis></result>',
    ],
    [
      'every named entity and some numeric ones',
      '<r><t>&amp;&lt;&gt;&quot;&apos;&nbsp;&copy;&reg;&trade;&ndash;&mdash;&hellip;&euro;&pound;</t>' +
        '<n>&#38;&#x26;&#160;&#xA0;&#x1F600;&#128512;&#13;x&#xD;&#x7f;&#xFFFD;&#65533;&#x10FFFF;&#0000065;</n></r>',
    ],
    ['empty elements in every form', '<r><a></a><b/><c /><d>  \n\t </d><e\n/><f>\u00a0</f></r>'],
    ['an empty root', '<result></result>'],
    ['a self-closing root', '<Packages/>'],
    [
      'attributes, ignored',
      `<result version="1.0" xmlns:x='urn:x'><imeis id="1" note='a > b' quote="it's" eq = "=" slash="/"><id a="1"/></imeis></result>`,
    ],
    ['repeated children interleaved with others', '<r><a>1</a><b>2</b><a>3</a><c/><a><x>4</x></a><b>5</b></r>'],
    ['names that differ only in case, merged as the parser merges them', '<r><IMEI>1</IMEI><imei>2</imei><Imei/></r>'],
    [
      'upper-case and mixed-case tag names',
      '<Packages><Package><PackageId>0269</PackageId><PackageTitle>AT&amp;T</PackageTitle></Package></Packages>',
    ],
    ['names with digits, dots, dashes, colons and underscores', '<_r><a.b>1</a.b><c-d>2</c-d><e:f>3</e:f><g9_>4</g9_></_r>'],
    ['several top-level elements', '<Package><PackageId>1</PackageId></Package>\n<Package><PackageId>2</PackageId></Package>'],
    ['text with characters the parser keeps as they are', '<r><a>a > b ]]> c \u00e9 \u2603 \ud83d\ude00 "\'</a></r>'],
    ['close tags with space before >', '<r ><a>1</a\n><b>2</b\t></r >'],
    ['a text element named like the wrapper', '<gsmfusionreply>x</gsmfusionreply>'],
  ])('reads %s exactly as fast-xml-parser', (_name, body) => {
    expectSameAsParser(wrap(body));
  });

  it('reads nesting up to its depth limit', () => {
    const deep = `${'<a>'.repeat(60)}x${'</a>'.repeat(60)}`;
    expectSameAsParser(wrap(deep));
  });
});

describe('scanXmlTree leaves to fast-xml-parser', () => {
  it.each([
    ['a comment', '<r><!-- note --><a>1</a></r>'],
    ['CDATA', '<r><a><![CDATA[x < y]]></a></r>'],
    ['a DOCTYPE', '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'],
    ['a processing instruction', '<r><?php echo 1 ?><a>1</a></r>'],
    ['mixed content', '<r><a>text<b>bold</b></a></r>'],
    ['text after the last child', '<r><a>1</a>tail</r>'],
    ['non-breaking space beside elements', '<r>\u00a0<a>1</a></r>'],
    ['< inside an attribute value', '<r><a b="<">1</a></r>'],
    ['an unclosed element', '<r><a>1</a>'],
    ['an unclosed element at the very end', '<r><a>1'],
    ['a close tag with nothing open', '</r>'],
    ['a close tag in another case', '<r><a>1</A></r>'],
    ['a close tag for another element', '<r><a>1</b></r>'],
    ['a close tag with a longer name', '<r><a>1</ab></r>'],
    ['the validator-accepted </a/>', '<r><a></a/></a></r>'],
    ['a tag cut before >', '<r><a</r>'],
    ['an element after the root', '<r/><s/>'],
    ['text after the root', '<r/>tail'],
    ['a bare ampersand', '<r>AT&T</r>'],
    ['an unknown entity', '<r>&foo;</r>'],
    ['an upper-case entity the parser leaves as written', '<r>&AMP;</r>'],
    ['an upper-case hex reference the validator refuses', '<r>&#X41;</r>'],
    ['an empty numeric reference', '<r>&#;&#x;</r>'],
    ['a NUL reference the parser drops', '<r>a&#0;</r>'],
    ['a control character reference the parser drops', '<r>a&#1;</r>'],
    ['a surrogate reference the parser drops', '<r>a&#xD800;</r>'],
    ['a reference beyond Unicode', '<r>&#1114112;</r>'],
    ['a boolean attribute', '<r><a b>1</a></r>'],
    ['a repeated attribute', '<r><a b="1" b="2">1</a></r>'],
    ['attributes without space between them', '<r><a b="1"c="2">1</a></r>'],
    ['an unquoted attribute', '<r><a b=1>1</a></r>'],
    ['an unterminated attribute value', '<r><a b="1>1</a></r>'],
    ['a space after <', '<r>< a>1</a></r>'],
    ['a non-ASCII name', '<r><caf\u00e9>1</caf\u00e9></r>'],
    ['a name the parser refuses', '<r><__proto__>1</__proto__></r>'],
    ['a name a plain object already has', '<r><Constructor/></r>'],
    ['a slash not closing the tag', '<r><a/ ></r>'],
    ['nesting deeper than its limit', `${'<a>'.repeat(70)}x${'</a>'.repeat(70)}`],
    ['a byte-order mark', '\ufeff<r/>'],
  ])('returns undefined for %s', (_name, xml) => {
    expect(scanXmlTree(xml)).toBeUndefined();
  });
});

describe('readReply with the scanner in front', () => {
  it('still reads what only fast-xml-parser reads', () => {
    expect(readReply('<result><!-- x --><imeis><id><![CDATA[7]]></id></imeis></result>')).toEqual({
      name: 'result',
      node: { imeis: { id: '7' } },
    });
  });

  it("still refuses a reply cut short with the validator's words", () => {
    const body = renderPlacement({ placed: [{ orderId: '1', imei: imeiOf(1) }], duplicates: [], malformed: [] });
    for (const cut of [body.length - 1, body.length - 9, 20]) {
      expect(() => readReply(body.slice(0, cut))).toThrow(ReplyParseError);
      expect(() => readReply(body.slice(0, cut))).toThrow(/cut short or malformed XML \(.+\)/);
    }
  });
});

// --- Differential property ------------------------------------------------------------------

/** A piece of XML, and whether the scanner must accept every document made only of such pieces. */
interface Piece {
  xml: string;
  inSubset: boolean;
}

function join(pieces: readonly Piece[]): Piece {
  return { xml: pieces.map((piece) => piece.xml).join(''), inSubset: pieces.every((piece) => piece.inSubset) };
}

// Names that differ only in case (imei, IMEI, Imei) must merge as the parser merges them.
const nameArb = fc.constantFrom(
  ...['result', 'imeis', 'id', 'imei', 'IMEI', 'Imei', 'status', 'Package', 'PackageId', 'a', 'B', 'x-y', 'n:s', '_u', 'a.b'],
);
const TEXT_INSIDE = [
  '353370080089458', 'Pending', 'Model: iPhone 11', ' - ', 'T-Mobile', 'a > b', '\u00e9\u2603', '"q\'', ' ', '\n', '\r\n', '\t', '\r',
  '\u00a0', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&nbsp;', '&copy;', '&euro;', '&hellip;', '&#38;', '&#x41;', '&#32;',
  '&#9;', '&#13;', '&#xD;', '&#x1F600;', '&#160;', '&#0065;',
];
const TEXT_OUTSIDE = [
  '&', '&foo;', '&AMP;', '&#X41;', '&#0;', '&#x;', '&#;', '&#1114112;', '&#xD800;', '&#00000000065;', '<!-- c -->',
  '<![CDATA[<x>]]>', '<?pi?>', '<b>', '</b>',
];

interface GeneratedDocument {
  xml: string;
  inSubset: boolean;
  /** The body's first element; the whole body when `singleRoot`. */
  root: Piece;
  singleRoot: boolean;
  /** Nothing follows the wrapper's close tag. */
  endsWithWrapper: boolean;
}

/**
 * Documents built from pieces; with `oddWeight` 0 all inside the subset, otherwise each choice
 * is now and then (oddWeight in 12 + oddWeight) one from just outside it.
 */
function documentArbitrary(oddWeight: number): fc.Arbitrary<GeneratedDocument> {
  const mostly = (within: readonly string[], beyond: readonly string[]): fc.Arbitrary<Piece> => {
    const inside = fc.constantFrom(...within).map((xml) => ({ xml, inSubset: true }));
    if (oddWeight === 0) return inside;
    const outside = fc.constantFrom(...beyond).map((xml) => ({ xml, inSubset: false }));
    return fc.oneof({ weight: 12, arbitrary: inside }, { weight: oddWeight, arbitrary: outside });
  };
  const spaceArb = mostly(['', '', ' ', '\n', '\n  ', '\r\n\t', '\r'], ['\u00a0', 'x', '&amp;', '<!-- c -->', '<?pi x?>']);
  const attributesArb = fc
    .tuple(
      fc.subarray([' a="1"', " b='x > y'", ' c = "it\'s"', '\n\td="/"', ' e="&amp;"', ' f:g=""']),
      mostly([''], [' h', ' i="<"', ' j="1"j="2"', 'k="1"', ' l=1', ' m="1', ' a="1" a="2"']),
    )
    .map(([valid, odd]) => ({ xml: valid.join('') + odd.xml, inSubset: odd.inSubset }));
  const textArb = fc.array(mostly(TEXT_INSIDE, TEXT_OUTSIDE), { maxLength: 5 }).map(join);
  const tagArb = fc.record({
    name: nameArb,
    attributes: attributesArb,
    openEnd: mostly(['>', ' >', '\n>'], ['/ >', ' / >']),
    closeEnd: mostly(['>', '>', ' >', '\n>'], ['/>', 'x>', ' x>']),
    closeCase: mostly(['same'], ['upper']),
  });
  const tagged = (content: fc.Arbitrary<Piece>): fc.Arbitrary<Piece> =>
    fc.tuple(tagArb, content).map(([{ name, attributes, openEnd, closeEnd, closeCase }, body]) => {
      const closeName = closeCase.xml === 'upper' ? name.toUpperCase() : name;
      return join([
        { xml: `<${name}${attributes.xml}${openEnd.xml}`, inSubset: attributes.inSubset && openEnd.inSubset },
        body,
        // An upper-cased close tag is only odd when it differs (`B` stays `B`).
        { xml: `</${closeName}${closeEnd.xml}`, inSubset: closeEnd.inSubset && closeName === name },
      ]);
    });
  const emptyArb = fc
    .tuple(nameArb, attributesArb, mostly(['/>', ' />', '\n/>'], ['/ >', ' / >', '/\n>']))
    .map(([name, attributes, end]) => ({
      xml: `<${name}${attributes.xml}${end.xml}`,
      inSubset: attributes.inSubset && end.inSubset,
    }));
  const elementArb = (depth: number): fc.Arbitrary<Piece> => {
    const leafArb = tagged(textArb);
    if (depth === 0) return fc.oneof(emptyArb, leafArb);
    const childrenArb = fc
      .tuple(
        fc.array(fc.tuple(spaceArb, elementArb(depth - 1)), { maxLength: 4 }),
        spaceArb,
        mostly([''], ['text', '\u00a0']), // mixed content
      )
      .map(([items, lastSpace, mixed]) => join([...items.flat(), lastSpace, mixed]));
    return fc.oneof(
      { weight: 1, arbitrary: emptyArb },
      { weight: 2, arbitrary: leafArb },
      { weight: 4, arbitrary: tagged(childrenArb) },
    );
  };
  // A reply body: usually one root element, like real replies; sometimes several.
  const moreArb = fc.array(fc.tuple(spaceArb, elementArb(2)), { minLength: 1, maxLength: 2 });
  const bodyArb = fc.tuple(elementArb(3), fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, moreArb));
  const afterArb = mostly([''], ['<x/>', 'tail', '</gsmfusionreply>', '<gsmfusionreply/>']);
  const beforeArb = mostly([''], ['<?xml version="1.0"?>', '<!-- c -->']);
  return fc
    .tuple(bodyArb, afterArb, beforeArb)
    .map(([[root, more], after, before]) => {
      const body = join([root, ...more.flat()]);
      return {
        root,
        singleRoot: more.length === 0,
        xml: `${before.xml}${wrap(body.xml)}${after.xml}`,
        inSubset: body.inSubset && after.inSubset && before.inSubset,
        // With something after the wrapper, one prefix is the complete wrapper: a valid document.
        endsWithWrapper: after.xml === '',
      };
    });
}

const documentArb = fc.oneof(documentArbitrary(0), documentArbitrary(1), documentArbitrary(4));

/**
 * Every cut for short documents, an even sample of about 100 for longer ones. Not 0:
 * an empty body wrapped is a complete document (readReply refuses it before scanning).
 */
function cutPositions(length: number): number[] {
  const step = Math.max(1, Math.floor(length / 100));
  const cuts: number[] = [];
  for (let cut = 1; cut < length; cut += step) cuts.push(cut);
  for (let cut = Math.max(1, length - 30); cut < length; cut += 1) cuts.push(cut); // always every cut near the end
  return cuts;
}

describe('scanXmlTree against fast-xml-parser on generated documents', () => {
  it('accepts only what the validator accepts, builds the parser tree, and takes the whole subset', () => {
    let accepted = 0;
    fc.assert(
      fc.property(documentArb, (document) => {
        const scanned = scanXmlTree(document.xml);
        if (document.inSubset) expect(scanned, document.xml).toBeDefined();
        if (scanned === undefined) return;
        accepted += 1;
        expect(XMLValidator.validate(document.xml), document.xml).toBe(true);
        const parsed: unknown = parser.parse(document.xml);
        expect(scanned).toEqual(parsed);
        expect(JSON.stringify(scanned)).toBe(JSON.stringify(parsed));
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
    // The generator must not drift so far outside the subset that the check above says little.
    expect(accepted).toBeGreaterThan(NUM_RUNS / 3);
  });

  it('never takes a document cut short as complete', () => {
    fc.assert(
      fc.property(documentArb, (document) => {
        if (document.endsWithWrapper) {
          for (const cut of cutPositions(document.xml.length)) {
            expect(scanXmlTree(document.xml.slice(0, cut)), document.xml.slice(0, cut)).toBeUndefined();
          }
        }
        // As readReply sees it: the body cut, then wrapped whole.
        if (!document.singleRoot) return;
        const body = document.root.xml;
        for (const cut of cutPositions(body.length)) {
          expect(scanXmlTree(wrap(body.slice(0, cut))), body.slice(0, cut)).toBeUndefined();
        }
      }),
      { seed: SEED + 1, numRuns: NUM_RUNS },
    );
  });
});
