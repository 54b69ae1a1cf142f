// What a fan pays, in integer minor units (cents), from an event's pricing policy, the
// tickets' face prices and a promo code. Pure: the same inputs always give the same quote,
// which the order then keeps, so a later change of prices or fees never changes an order.
//
// The rules, in order:
// 1. subtotal: the sum of the tickets' face prices;
// 2. discount: a code takes a fixed amount (at most the subtotal) or a percentage of it;
// 3. fees: per ticket (fixed, or a percentage of that ticket's face price) and per order
//    (fixed, or a percentage of the discounted subtotal);
// 4. tax: the event's rate on the discounted subtotal plus fees, added on top;
// 5. total: discounted subtotal + fees + tax.
// Percentages are basis points (1 % = 100); every rounding is half up, once per amount.

/** A fee or a discount: a fixed amount in minor units, or basis points of a base. */
export type Amount = { fixed: number } | { percentBp: number };

export interface PricingPolicy {
  /** ISO 4217 code, upper case. */
  currency: string;
  perTicketFee: Amount;
  perOrderFee: Amount;
  /** Basis points of (discounted subtotal + fees). */
  taxRateBp: number;
}

export const NO_FEES: Omit<PricingPolicy, 'currency'> = {
  perTicketFee: { fixed: 0 },
  perOrderFee: { fixed: 0 },
  taxRateBp: 0,
};

export interface TicketLine {
  /** Public seat id, or the area id for standing places. */
  item: string;
  /** Human label ("Section 101, Row C, Seat 12", "Floor A"). */
  label: string;
  category: string;
  /** Face price, minor units. */
  price: number;
  /** Places this line stands for: 1 for a seat, n for standing places at `price` each. */
  quantity: number;
}

export interface Quote {
  currency: string;
  lines: (TicketLine & { fee: number })[];
  tickets: number;
  subtotal: number;
  discount: number;
  ticketFees: number;
  orderFee: number;
  tax: number;
  total: number;
}

/** Half-up rounding of `base × bp / 10000`, in integers (no floating drift on large amounts). */
export function percentOf(base: number, bp: number): number {
  return Math.floor((base * bp + 5000) / 10000);
}

function amountOf(a: Amount, base: number): number {
  return 'fixed' in a ? a.fixed : percentOf(base, a.percentBp);
}

export function quote(policy: PricingPolicy, lines: TicketLine[], discount: Amount | null = null): Quote {
  let subtotal = 0;
  let tickets = 0;
  let ticketFees = 0;
  const priced = lines.map((l) => {
    subtotal += l.price * l.quantity;
    tickets += l.quantity;
    const fee = amountOf(policy.perTicketFee, l.price) * l.quantity;
    ticketFees += fee;
    return { ...l, fee };
  });
  const off = discount ? Math.min(subtotal, amountOf(discount, subtotal)) : 0;
  const net = subtotal - off;
  const orderFee = lines.length > 0 ? amountOf(policy.perOrderFee, net) : 0;
  const tax = percentOf(net + ticketFees + orderFee, policy.taxRateBp);
  return {
    currency: policy.currency,
    lines: priced,
    tickets,
    subtotal,
    discount: off,
    ticketFees,
    orderFee,
    tax,
    total: net + ticketFees + orderFee + tax,
  };
}
