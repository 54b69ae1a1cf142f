// An order's life, as one pure transition function: what each fact does to an order in each
// status, so retries, late and out-of-order webhooks, and crashes half-way through cannot
// move an order somewhere it may not go. The store applies the returned status in the same
// statement that checks the one it read (compare-and-set).
//
//   pending_payment ──paid──▶ paid ──refunded (some)──▶ partially_refunded ──(all)──▶ refunded
//         │  ▲                  └──────────refunded (all)──────────────────────────▶ refunded
//         │  └─ payment failed: stays (the holds live on; the fan may pay again)
//         ├──holds lapsed unpaid──▶ expired ──paid late, seats still free──▶ paid
//         │                             └──paid late, seats gone──▶ refunded (automatically)
//         └──cancelled (by the fan or the box office, before payment)──▶ cancelled

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'partially_refunded',
  'refunded',
  'cancelled',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderFact =
  /** The provider confirmed the payment and every ticket is booked in the event's actor. */
  | { type: 'paid' }
  /** A payment attempt failed (declined, insufficient funds): nothing changes but the record. */
  | { type: 'paymentFailed' }
  /** The order's holds lapsed before it was paid. */
  | { type: 'expired' }
  /** Tickets were refunded: `remaining` is how many stay paid. */
  | { type: 'refunded'; remaining: number }
  /** The order was given up before payment. */
  | { type: 'cancelled' };

export type Transition = { ok: true; status: OrderStatus } | { ok: false; reason: string };

const stay = (status: OrderStatus): Transition => ({ ok: true, status });
const refuse = (reason: string): Transition => ({ ok: false, reason });

/** Where `fact` takes an order in `status`; a fact that has already happened leaves it where it is. */
export function transition(status: OrderStatus, fact: OrderFact): Transition {
  switch (fact.type) {
    case 'paid':
      if (status === 'pending_payment' || status === 'expired') return stay('paid');
      if (status === 'paid' || status === 'partially_refunded' || status === 'refunded') return stay(status);
      return refuse(`a ${status} order cannot be paid`);
    case 'paymentFailed':
      // A failure reported after a success (webhooks come in any order) changes nothing.
      return stay(status);
    case 'expired':
      return status === 'pending_payment' ? stay('expired') : stay(status);
    case 'refunded':
      if (
        status !== 'paid' &&
        status !== 'partially_refunded' &&
        status !== 'expired' &&
        status !== 'refunded'
      )
        return refuse(`a ${status} order has nothing to refund`);
      // Refunded whole is final: nothing comes back from it.
      if (status === 'refunded') return stay('refunded');
      return stay(fact.remaining > 0 ? 'partially_refunded' : 'refunded');
    case 'cancelled':
      if (status === 'pending_payment' || status === 'expired') return stay('cancelled');
      if (status === 'cancelled') return stay(status);
      return refuse(`a ${status} order is refunded, not cancelled`);
  }
}
