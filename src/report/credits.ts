/**
 * CREDITS as the provider's Advanced Export shows it (`$0.08`), from the catalogue's
 * `PackagePrice` (`0.08`, `35`, `35.00`, sometimes already `$1.50`).
 */

const PLAIN_AMOUNT = /^\$?\s*(\d+(?:,\d{3})*|\d*)(?:\.(\d+))?$/;

export function formatCredits(price: string): string {
  const trimmed = price.trim();
  if (trimmed === '') return '';
  const match = PLAIN_AMOUNT.exec(trimmed);
  const whole = match?.[1];
  const fraction = match?.[2] ?? '';
  // Anything that is not a plain amount (another currency, free text) is shown as given rather
  // than guessed at: a wrong price in a report is worse than an odd-looking one.
  if (match === null || whole === undefined || (whole === '' && fraction === '')) return trimmed;
  const wholeDigits = whole.replaceAll(',', '').replace(/^0+(?=\d)/, '') || '0';
  // At least cents, and never fewer digits than the provider gave: rounding a price would
  // misstate what an order costs (some unlock prices have three decimals).
  const significantFraction = fraction.replace(/0+$/, '');
  const cents = significantFraction.padEnd(2, '0');
  return `$${wholeDigits}.${cents}`;
}
