import { percentOf } from '../orders/pricing.ts';
import type { StoredQuote } from '../orders/store.ts';

// The resale cap, pure. A ticket's face value is what its first buyer paid for it: its line's
// price (after the order's discount), its per-ticket fee, its share of the order's fee and of
// the tax. The cap is a share of that, in basis points (10000: face value, the default).

export const DEFAULT_CAP_BP = 10_000;

/** What one ticket of `item` cost in the order that bought it (minor units, rounded down). */
export function faceValue(q: StoredQuote, item: string): number {
  const line = q.lines.find((l) => l.item === item);
  if (!line) return 0;
  const tickets = Math.max(1, q.tickets);
  const perPlace = line.price;
  // The discount and the order's fee are shared by the order's tickets in proportion to
  // their prices (discount) or equally (the fee).
  const discount = q.subtotal > 0 ? Math.floor((q.discount * perPlace) / q.subtotal) : 0;
  const lineFee = line.quantity > 0 ? Math.floor(line.fee / line.quantity) : 0;
  const base = perPlace - discount + lineFee + Math.floor(q.orderFee / tickets);
  const taxable = q.subtotal - q.discount + q.ticketFees + q.orderFee;
  const tax = taxable > 0 ? Math.floor((q.tax * base) / taxable) : 0;
  return base + tax;
}

export function capOf(face: number, capBp: number): number {
  return percentOf(face, capBp);
}
