// A card form's checks (number, expiry, security code), before anything is sent.

export const TEST_CARDS: { number: string; outcome: string }[] = [
  { number: '4242 4242 4242 4242', outcome: 'succeeds' },
  { number: '4000 0000 0000 0002', outcome: 'is declined' },
  { number: '4000 0000 0000 9995', outcome: 'is declined: insufficient funds' },
];

/** Why the card as typed cannot be paid with, or null when it can. */
export function cardProblem(number: string, expiry: string, cvc: string, now = new Date()): string | null {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) return 'Enter the card number: 12 to 19 digits.';
  const m = /^(\d{2})\s*\/\s*(\d{2})$/.exec(expiry.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 12) return 'Enter the expiry date as MM/YY.';
  const end = new Date(2000 + Number(m[2]), Number(m[1]), 1); // the first day after the month
  if (end <= now) return 'This card has expired.';
  if (!/^\d{3,4}$/.test(cvc.trim())) return 'Enter the 3 or 4 digit security code.';
  return null;
}
