// How amounts, dates and waits read on screen: one place, so every page says them alike.

/** Minor units as money: 4500, 'EUR' → "€45.00". */
export function money(minor: number, currency = 'EUR'): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`; // an unknown currency code
  }
}

/** "Sat, 14 Mar 2026, 20:00" in the reader's own time zone. */
export function dateTime(iso: string | number): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A wait in words, rounded the way a person would say it. */
export function waitWords(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'not known yet';
  if (seconds < 1) return 'any moment now';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `about ${min} min`;
  const h = Math.floor(min / 60);
  return `about ${h} h ${min % 60} min`;
}

/** "mm:ss" left until `until` (epoch ms), never negative. */
export function countdown(until: number, now = Date.now()): string {
  const s = Math.max(0, Math.ceil((until - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
