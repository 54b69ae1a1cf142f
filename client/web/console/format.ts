// Money, times and prices as the console shows and reads them. Pure.

/** Minor units as money, e.g. 1250 EUR → "€12.50". */
export function money(minor: number, currency: string | null | undefined): string {
  const code = currency || 'EUR';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

/** "12.50" or "12,50" or "12" → 1250 minor units; null for anything else. */
export function parseMoney(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

/** Minor units as the text a price input shows: 1250 → "12.50". */
export function moneyInput(minor: number): string {
  return (minor / 100).toFixed(2);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time as a datetime-local input's value (local time, to the minute); "" for null. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value (local time) as ISO; null when empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A date-time for people: "2 Dec 2026, 09:41". */
export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Milliseconds for a dashboard tile: "3.2 ms", "—" when there is none. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}
