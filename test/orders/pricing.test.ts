import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Amount,
  NO_FEES,
  type PricingPolicy,
  percentOf,
  quote,
  type TicketLine,
} from '../../src/orders/pricing.ts';

const line = (item: string, price: number, quantity = 1): TicketLine => ({
  item,
  label: item,
  category: 'P1',
  price,
  quantity,
});
const EUR: PricingPolicy = { currency: 'EUR', ...NO_FEES };

describe('percentOf', () => {
  it('rounds half up in integers, also for amounts where floating point would drift', () => {
    expect(percentOf(1000, 1250)).toBe(125);
    expect(percentOf(5, 1000)).toBe(1); // 0.5 → 1
    expect(percentOf(4, 1000)).toBe(0); // 0.4 → 0
    expect(percentOf(1_999_999_999, 2000)).toBe(400_000_000); // 399,999,999.8
    expect(percentOf(0, 9999)).toBe(0);
  });
});

describe('quote', () => {
  it('given tickets, a per-ticket fee in percent, a fixed order fee, a discount and tax, then each amount follows the documented order', () => {
    const policy: PricingPolicy = {
      currency: 'EUR',
      perTicketFee: { percentBp: 1000 }, // 10 % of each face price
      perOrderFee: { fixed: 250 },
      taxRateBp: 2000,
    };
    const q = quote(policy, [line('101-A-1', 5000), line('101-A-2', 5000), line('GA1', 3000, 2)], {
      fixed: 1000,
    });
    expect(q).toMatchObject({
      currency: 'EUR',
      tickets: 4,
      subtotal: 16_000,
      discount: 1000,
      ticketFees: 500 + 500 + 600,
      orderFee: 250,
    });
    // tax on (15,000 + 1,600 + 250) = 16,850 → 3,370
    expect(q.tax).toBe(3370);
    expect(q.total).toBe(15_000 + 1600 + 250 + 3370);
    expect(q.lines.map((l) => l.fee)).toEqual([500, 500, 600]);
  });

  it('given a percent discount and a percent order fee, then the order fee is taken on the discounted subtotal; a fixed discount never goes below zero', () => {
    const policy: PricingPolicy = { ...EUR, perOrderFee: { percentBp: 500 } };
    const q = quote(policy, [line('a', 10_000)], { percentBp: 2500 });
    expect([q.discount, q.orderFee, q.total]).toEqual([2500, 375, 7875]);
    const free = quote(EUR, [line('a', 800)], { fixed: 5000 });
    expect([free.discount, free.total]).toEqual([800, 0]);
  });

  it('given no tickets, then nothing is owed (no order fee on an empty order)', () => {
    expect(quote({ ...EUR, perOrderFee: { fixed: 300 } }, []).total).toBe(0);
  });

  it('given any tickets, fees, code and tax, then the amounts add up, are whole and never negative', () => {
    const amount: fc.Arbitrary<Amount> = fc.oneof(
      fc.record({ fixed: fc.integer({ min: 0, max: 100_000 }) }),
      fc.record({ percentBp: fc.integer({ min: 0, max: 10_000 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            price: fc.integer({ min: 0, max: 1_000_000 }),
            quantity: fc.integer({ min: 1, max: 10 }),
          }),
          {
            maxLength: 10,
          },
        ),
        amount,
        amount,
        fc.integer({ min: 0, max: 5000 }),
        fc.option(amount, { nil: null }),
        (ls, perTicketFee, perOrderFee, taxRateBp, code) => {
          const q = quote(
            { currency: 'EUR', perTicketFee, perOrderFee, taxRateBp },
            ls.map((l, i) => line(`s${i}`, l.price, l.quantity)),
            code,
          );
          for (const v of [q.subtotal, q.discount, q.ticketFees, q.orderFee, q.tax, q.total]) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
          expect(q.discount).toBeLessThanOrEqual(q.subtotal);
          expect(q.total).toBe(q.subtotal - q.discount + q.ticketFees + q.orderFee + q.tax);
          expect(q.ticketFees).toBe(q.lines.reduce((a, l) => a + l.fee, 0));
          expect(q.tickets).toBe(ls.reduce((a, l) => a + l.quantity, 0));
        },
      ),
    );
  });
});
