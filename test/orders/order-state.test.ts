import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  type OrderFact,
  type OrderStatus,
  transition,
} from '../../src/orders/order-state.ts';

// The order's life as a table: every fact in every status, so no retry, late webhook or
// crash can move an order where it may not go.

const FACTS: OrderFact[] = [
  { type: 'paid' },
  { type: 'paymentFailed' },
  { type: 'expired' },
  { type: 'refunded', remaining: 1 },
  { type: 'refunded', remaining: 0 },
  { type: 'cancelled' },
];

/** Expected result per status, in FACTS order; null: refused. */
const TABLE: Record<OrderStatus, (OrderStatus | null)[]> = {
  pending_payment: ['paid', 'pending_payment', 'expired', null, null, 'cancelled'],
  paid: ['paid', 'paid', 'paid', 'partially_refunded', 'refunded', null],
  partially_refunded: [
    'partially_refunded',
    'partially_refunded',
    'partially_refunded',
    'partially_refunded',
    'refunded',
    null,
  ],
  refunded: ['refunded', 'refunded', 'refunded', 'refunded', 'refunded', null],
  cancelled: [null, 'cancelled', 'cancelled', null, null, 'cancelled'],
  expired: ['paid', 'expired', 'expired', 'partially_refunded', 'refunded', 'cancelled'],
};

describe('order transitions', () => {
  for (const status of ORDER_STATUSES) {
    it(`from ${status}, each fact goes where the table says`, () => {
      const got = FACTS.map((f) => {
        const t = transition(status, f);
        return t.ok ? t.status : null;
      });
      expect(got).toEqual(TABLE[status]);
    });
  }

  it('a failure reported after a success changes nothing, and a success repeated stays one', () => {
    const paid = transition('pending_payment', { type: 'paid' });
    expect(paid).toEqual({ ok: true, status: 'paid' });
    expect(transition('paid', { type: 'paymentFailed' })).toEqual({ ok: true, status: 'paid' });
    expect(transition('paid', { type: 'paid' })).toEqual({ ok: true, status: 'paid' });
  });

  it('a refused fact says why', () => {
    const t = transition('cancelled', { type: 'paid' });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.reason).toMatch(/cancelled/);
  });
});
