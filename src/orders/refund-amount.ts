import type { StoredQuote } from './store.ts';

// How much a refund of some tickets gives back: their share of what was paid, by face value,
// rounded down; the whole order's refund is what is left, so the parts never add up to more
// than the total. Pure.

export function refundAmount(
  q: StoredQuote,
  total: number,
  alreadyRefunded: number,
  ticketPrices: number[],
  whole: boolean,
): number {
  const left = total - alreadyRefunded;
  if (whole) return left;
  const face = ticketPrices.reduce((a, b) => a + b, 0);
  if (q.subtotal === 0) return 0;
  return Math.min(left, Math.floor((total * face) / q.subtotal));
}
