/** IMEI arithmetic the simulator needs: Luhn check digits (gsmfusion-api.md, "IMEI facts"). */

const FIFTEEN_DIGITS = /^\d{15}$/;

export function isFifteenDigits(text: string): boolean {
  return FIFTEEN_DIGITS.test(text);
}

/** The Luhn check digit for 14 leading digits. */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Counting from the right of the body, every first digit is doubled (the check digit comes after).
    let digit = Number(body.charAt(body.length - 1 - i));
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when a 15-digit IMEI ends with the right check digit. */
export function hasValidCheckDigit(imei: string): boolean {
  if (!isFifteenDigits(imei)) return false;
  return luhnCheckDigit(imei.slice(0, 14)) === Number(imei.charAt(14));
}

/** Completes 14 digits into a valid IMEI. */
export function withCheckDigit(body: string): string {
  return `${body}${luhnCheckDigit(body)}`;
}
