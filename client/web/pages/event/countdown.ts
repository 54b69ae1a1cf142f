// A hold's time left in words and digits. Pure: the page ticks it once a second.

/** "9:05" for 545 s left; "0:00" once expired. */
export function formatRemaining(expiresAt: number, now: number): string {
  const s = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How a screen reader hears it: "9 minutes 5 seconds". */
export function spokenRemaining(expiresAt: number, now: number): string {
  const s = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  if (s === 0) return 'no time';
  const m = Math.floor(s / 60);
  const parts = [];
  if (m > 0) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  if (s % 60 > 0) parts.push(`${s % 60} second${s % 60 === 1 ? '' : 's'}`);
  return parts.join(' ');
}

/** Under two minutes left: the page warns and offers to extend. */
export const isUrgent = (expiresAt: number, now: number) => expiresAt - now < 120_000;
