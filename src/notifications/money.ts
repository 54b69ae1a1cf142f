// Money in mails: amounts are integer minor units (cents, yen, fils). Intl says how many
// minor digits a currency has; the amount goes to Intl as an exact decimal string, so no
// float ever rounds a price.

const formats = new Map<string, Intl.NumberFormat>();

function numberFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, f);
  }
  return f;
}

/** The number of minor-unit digits of a currency (EUR 2, JPY 0, BHD 3). */
export function minorDigits(currency: string): number {
  return numberFormat(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
}

/** `minor` minor units of `currency` as people read it: formatMoney(1999, 'EUR') is "€19.99". */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an amount in minor units: ${minor}`);
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal =
    digits === 0 ? units : `${units.slice(0, units.length - digits)}.${units.slice(units.length - digits)}`;
  return numberFormat(currency, locale).format(`${sign}${decimal}` as `${number}`);
}
