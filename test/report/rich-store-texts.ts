/**
 * The texts the rich store (rich-store.ts) puts in its rows, orders and catalogue: the shapes
 * checkers send, and the ones that would break a careless CSV writer or code parser.
 */

export const APPLE =
  'Model: iPhone 11 Purple 64GB - IMEI Number: 353979106673567 - Serial Number: F4GZLH2XN72N - ' +
  'IMEI2 Number: 353979106589748 - MEID Number: 35397910667356 - Carrier: AT&T - Locked Policy - ' +
  'Next Tether Policy: 23 - Find My iPhone: ON - SimLock: Locked';

/** Completed codes: the shapes checkers send, and the ones that would break a careless writer. */
export const COMPLETED_CODES: readonly string[] = [
  APPLE,
  'Model: iPhone 12 - Carrier: AT&T - SimLock: Locked - Find My iPhone: OFF',
  'Model: <b>iPhone 12</b><br>Carrier: AT&amp;T<br/>SimLock: <span style="color:red">Locked</span><br>Find My iPhone: ON',
  'Model: iPhone X\r\nIMEI2: 353979106589748\r\nFMI: OFF',
  'Model: iPhone "12", 64GB - Carrier: T-Mobile USA - Sim Lock: Unlocked',
  '=HYPERLINK("http://x","y")',
  'Model: =cmd|"/c calc"!A1 - Carrier: +1 - SimLock: -2 - FMI: @SUM(A1)',
  'Model: iPhone 12 \u2013 \u201cPro\u201d \u2713 \u65e5\u672c \ud83d\ude00 - Carrier: \u00dcnlocked',
  'Model:\u00a0iPhone  12\t Pro - Carrier:   AT&T  ',
  '&#61;SUM(1) &#x3D; Model: x &#0; &bogus; &lt;b&gt;',
  'No data found for this IMEI',
  '',
  '\tModel: tabbed',
  ' - Model: iPhone - ',
  '   ',
  'Carrier: lone\rreturn - Model: lone\nfeed',
  'Model: a,b - Carrier: "q" - SimLock: - - FMI: ON -',
  '\uff1dfullwidth - Model: \uff0bplus',
  'IMEI 2: 356789101234567 - Lock Status: Unlocked - Network: Verizon - Device: iPad',
];

export const REJECTED_CODES: readonly string[] = [
  'Invalid_IMEI',
  '',
  'NOT SUPPORTED',
  'blacklisted, "stolen"',
  '=1+1',
  'Some <i>reason</i>\r\nsecond line',
];

/** Texts a user could type into an IMEI cell that intake refused. */
export const INVALID_RAW: readonly string[] = [
  '12345',
  '=1+2',
  'abc,def',
  'he said "hi"',
  'line\nbreak',
  'cr\r\nlf',
  '+447',
  '-5',
  '@x',
  '\tTAB',
  '\uff13\uff15\uff13',
  '\ud83d\ude00',
  '',
  ' ',
  '\rreturn',
  '\uff20fullwidth at',
];

export const NOTES: readonly string[] = [
  '',
  'too short (5 digits)',
  '=cmd|"/c calc"!A1',
  '-minus first',
  'a note, with "quotes"\r\nand a second line',
  'caf\u00e9 \u2014 \u2713',
  '\ttab first',
  '\r\ncarriage return first',
];

export const SERVICES: readonly (readonly [id: string, title: string, price: string])[] = [
  ['1739', 'iPhone Full Info Check', '0.08'],
  ['269', '=Carrier, "Check"', '35'],
  ['42', 'Unlock \u2014 AT&T', '$1.50'],
  ['77', '-Free check', 'free'],
  ['88', '@Three decimals', '0.125'],
  ['55', 'No price', ''],
  ['66', '+Thousands', '1,234.5'],
  ['67', '\tTabbed title', ' 0.50 '],
];

/** Service ids rows use: in the catalogue (when it is filled), and one that never is. */
export const ROW_SERVICES: readonly string[] = ['1739', '269', '42', '77', '88', '55', '66', '67', '99'];
