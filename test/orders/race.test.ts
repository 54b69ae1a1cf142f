import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKED, HELD } from '../../src/domain/seat-status.ts';
import type { Res } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';
import {
  type Fan,
  inBatches,
  type OrderSeen,
  ordinarySeats,
  Shop,
  type ShopEvent,
  until,
  validByItem,
} from '../support/shop.ts';

// 1,000 checkouts for 500 seats, all started at once, through the real server on both
// databases. Two fans go for each seat: one hold wins, the other is refused. The winner
// checks out twice in parallel and once more (one order, one payment), then pays twice in
// parallel (one charge). One winner in five lets the hold go between checkout and payment:
// the other fan then buys the seat, and the winner's late payment is refunded automatically;
// a few such seats nobody takes again, and their late payment books them. At the end every
// seat is sold exactly once, every charge is a paid order or a whole refund, and the sales
// report, the seat map and the provider's books agree.

const ADMIN = { email: 'race-admin@example.com', password: 'admin-password-1' };
const SEATS = 500;
const FANS = 200;
/** Seat i's winner lets the hold go before paying when i % LAPSE === 0 … */
const LAPSE = 5;
/** … and nobody takes it again when also i % UNTAKEN === 0 (so it is paid late and booked). */
const UNTAKEN = 50;

const pgUp = await postgresAvailable();

const targets = [
  { name: 'PGlite', enabled: true, env: (): Record<string, string> => ({}) },
  {
    name: 'Postgres',
    enabled: pgUp,
    env: (): Record<string, string> => ({
      DATABASE_URL: POSTGRES_URL,
      ONSALE_DB_SCHEMA: uniqueSchema('orders_race'),
    }),
  },
];

interface Bought {
  seat: string;
  fan: Fan;
  orderId: string;
  paymentId: string;
  total: number;
  /** How the order must end. */
  end: 'paid' | 'refunded';
}

const lapses = (i: number) => i % LAPSE === 0;
const retaken = (i: number) => lapses(i) && i % UNTAKEN !== 0;

for (const target of targets) {
  describe.skipIf(!target.enabled)(`1,000 concurrent checkouts for 500 seats on ${target.name}`, () => {
    let t: TestServer;
    let shop: Shop;
    let admin: string;
    let schema: string | undefined;
    let fans: Fan[];
    let ev: ShopEvent;

    beforeAll(async () => {
      const env = target.env();
      schema = env.ONSALE_DB_SCHEMA;
      t = await startTestServer({
        ...env,
        ONSALE_ADMIN_EMAIL: ADMIN.email,
        ONSALE_ADMIN_PASSWORD: ADMIN.password,
      });
      shop = new Shop(t.url);
      admin = await shop.login(ADMIN.email, ADMIN.password);
      [fans, ev] = await Promise.all([shop.registerFans('racer', FANS), shop.openEvent(admin, 'race')]);
    }, 90_000);

    afterAll(async () => {
      await t?.stop();
      if (schema) await dropSchema(schema);
    });

    /** The same checkout twice at once and once more: one order, one payment, answered alike. */
    const checkoutThrice = async (fan: Fan, holdId: string, key: string) => {
      const pair = await Promise.all([
        shop.checkout(fan.token, ev.id, [holdId], key),
        shop.checkout(fan.token, ev.id, [holdId], key),
      ]);
      const texts = pair.map((r) => r.text).join('\n');
      expect(
        pair.map((r) => r.status).sort(),
        `one of two parallel checkouts creates the order:\n${texts}`,
      ).toEqual([200, 201]);
      const third = await shop.checkout(fan.token, ev.id, [holdId], key);
      expect(third.status, third.text).toBe(200);
      const first = pair[0].body;
      expect(first.order.status).toBe('pending_payment');
      expect(first.payment.paymentId, texts).toEqual(expect.any(String));
      for (const r of [pair[1], third])
        expect([r.body.order.id, r.body.payment.paymentId], texts).toEqual([
          first.order.id,
          first.payment.paymentId,
        ]);
      return {
        orderId: first.order.id as string,
        paymentId: first.payment.paymentId as string,
        total: first.order.total as number,
      };
    };

    /** Two confirms at once: one pays, the other is told the payment is settled. */
    const payTwice = async (fan: Fan, paymentId: string) => {
      const pair = await Promise.all([
        shop.confirm(fan.token, paymentId),
        shop.confirm(fan.token, paymentId),
      ]);
      const texts = pair.map((r) => r.text).join('\n');
      const ok = pair.filter((r) => r.status === 200);
      const refused = pair.filter((r) => r.status !== 200);
      expect(ok.length, `exactly one of two parallel confirms pays:\n${texts}`).toBe(1);
      expect(ok[0].body.status, texts).toBe('succeeded');
      expect([refused[0].status, refused[0].body.error?.code], texts).toEqual([409, 'PAYMENT_SETTLED']);
    };

    const statusIs = (fan: Fan, orderId: string, status: string, timeoutMs = 20_000) =>
      until(
        () => shop.order(fan.token, orderId),
        (o) => o.status === status,
        { timeoutMs, intervalMs: 200, what: `order ${orderId} ${status}`, describe: (o) => o.status },
      );

    it('sells every seat once, charges every order at most once, and refunds the late payments for seats gone', async () => {
      const started = performance.now();
      const seats = ordinarySeats(ev.layout, SEATS);
      const bought: Bought[] = [];
      // Every hold at once, before any flow looks at an answer.
      const attempts = seats.map((seat, i) => {
        const pair = [fans[(2 * i) % FANS], fans[(2 * i + 1) % FANS]];
        return { seat, pair, holds: pair.map((f) => shop.hold(f.token, ev.id, [seat])) };
      });

      const flow = async (i: number) => {
        const { seat, pair, holds } = attempts[i];
        const answers: Res[] = await Promise.all(holds);
        const texts = answers.map((r) => r.text).join('\n');
        const won = answers.findIndex((r) => r.status === 201);
        expect(
          answers.map((r) => r.status).sort(),
          `seat ${seat}: one hold wins, one is refused\n${texts}`,
        ).toEqual([201, 409]);
        expect(answers[1 - won].body.error?.code, texts).toBe('SEAT_UNAVAILABLE');
        expect(answers[won].body.seats).toEqual([seat]);
        const winner = pair[won];
        const loser = pair[1 - won];
        const holdId = answers[won].body.holdId as string;
        const w = await checkoutThrice(winner, holdId, `race-${i}-w`);
        if (!lapses(i)) {
          await payTwice(winner, w.paymentId);
          bought.push({ seat, fan: winner, ...w, end: 'paid' });
          return;
        }
        // The lapse: the hold goes, the unpaid order expires.
        const released = await shop.release(winner.token, holdId);
        expect(released.status, released.text).toBe(200);
        await statusIs(winner, w.orderId, 'expired');
        if (!retaken(i)) {
          await payTwice(winner, w.paymentId);
          bought.push({ seat, fan: winner, ...w, end: 'paid' });
          return;
        }
        const again = await shop.hold(loser.token, ev.id, [seat]);
        expect(again.status, again.text).toBe(201);
        const l = await checkoutThrice(loser, again.body.holdId, `race-${i}-l`);
        await payTwice(loser, l.paymentId);
        await statusIs(loser, l.orderId, 'paid');
        bought.push({ seat, fan: loser, ...l, end: 'paid' });
        // Only now the winner pays, late: the seat is gone.
        await payTwice(winner, w.paymentId);
        bought.push({ seat, fan: winner, ...w, end: 'refunded' });
      };

      const settled = await Promise.allSettled(seats.map((_, i) => flow(i)));
      const failed = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [{ i, e: s.reason as Error }] : [],
      );
      expect(
        failed.length,
        failed
          .slice(0, 5)
          .map((f) => `seat ${seats[f.i]}: ${f.e?.message ?? f.e}`)
          .join('\n---\n'),
      ).toBe(0);
      const flowsMs = performance.now() - started;

      const lapsed = seats.filter((_, i) => lapses(i)).length;
      const refunds = seats.filter((_, i) => retaken(i)).length;
      expect(bought.length).toBe(SEATS + refunds);

      // The projection and the reconciler settle: every order ends where it must.
      const final = await until(
        () => inBatches(bought, 32, (b) => shop.order(admin, b.orderId)),
        (os) => os.every((o, k) => o.status === bought[k].end),
        {
          timeoutMs: 20_000,
          intervalMs: 250,
          what: 'every order paid or refunded',
          describe: (os) =>
            os
              .flatMap((o, k) =>
                o.status === bought[k].end ? [] : [`${o.id} ${o.status} (want ${bought[k].end})`],
              )
              .slice(0, 10)
              .join(', '),
        },
      );
      const byId = new Map<string, OrderSeen>(final.map((o) => [o.id, o]));
      expect(byId.size, 'every purchase its own order').toBe(bought.length);

      for (const [k, b] of bought.entries()) {
        const o = final[k];
        expect(o.total).toBe(b.total);
        expect(o.payment.id).toBe(b.paymentId);
        const valid = o.tickets.filter((x) => x.status === 'valid');
        if (b.end === 'paid') {
          expect([o.refunded, valid.map((x) => x.item)], o.id).toEqual([0, [b.seat]]);
        } else {
          expect([o.refunded, valid], o.id).toEqual([o.total, []]);
          expect(o.total).toBeGreaterThan(0);
        }
      }

      // No seat sold twice, every seat sold: one valid ticket per seat over every order.
      const byItem = validByItem(final);
      expect([...byItem.keys()].sort()).toEqual([...seats].sort());
      const twice = [...byItem].filter(([, orders]) => orders.length !== 1);
      expect(twice, 'seats with more than one valid ticket').toEqual([]);
      expect(final.filter((o) => o.status === 'paid').length).toBe(SEATS);

      // The server knows no order the fans were not told of.
      const db = t.server.db;
      const { rows: orders } = await db.query<{
        id: string;
        status: string;
        total: number;
        refunded: number;
        payment_status: string | null;
      }>('SELECT id, status, total, refunded, payment_status FROM orders WHERE event_id = $1', [ev.id]);
      expect(orders.map((o) => o.id).sort()).toEqual([...byId.keys()].sort());
      const stuck = orders.filter(
        (o) => o.payment_status === 'succeeded' && o.status !== 'paid' && o.status !== 'refunded',
      );
      expect(stuck, 'charged orders neither paid nor refunded').toEqual([]);

      // The provider's books: one intent per order, each charged once, refunds whole.
      const { rows: payments } = await db.query<{
        id: string;
        order_id: string;
        status: string;
        amount: number;
        refunded: number;
      }>('SELECT id, order_id, status, amount, refunded FROM simulated_payments');
      const { rows: hooks } = await db.query<{ payload: string }>('SELECT payload FROM simulated_webhooks');
      const { rows: refundRows } = await db.query<{ payment_id: string; n: number; amount: number }>(
        'SELECT payment_id, count(*)::int AS n, sum(amount)::int AS amount FROM simulated_refunds GROUP BY payment_id',
      );
      const successes = new Map<string, number>();
      for (const h of hooks) {
        const e = JSON.parse(h.payload) as { type: string; data: { object: { id: string } } };
        if (e.type === 'payment_intent.succeeded')
          successes.set(e.data.object.id, (successes.get(e.data.object.id) ?? 0) + 1);
      }
      const refundsOf = new Map(refundRows.map((r) => [r.payment_id, r]));
      const intentsPerOrder = new Map<string, number>();
      for (const p of payments) intentsPerOrder.set(p.order_id, (intentsPerOrder.get(p.order_id) ?? 0) + 1);
      expect(
        [...intentsPerOrder.values()].filter((n) => n !== 1),
        'orders with more than one intent',
      ).toEqual([]);
      for (const p of payments) {
        const o = byId.get(p.order_id);
        expect(o, `payment ${p.id} of an unknown order ${p.order_id}`).toBeDefined();
        expect([p.id, p.status, p.amount, successes.get(p.id)], `charges of ${p.order_id}`).toEqual([
          o!.payment.id,
          'succeeded',
          o!.total,
          1,
        ]);
        const back = refundsOf.get(p.id);
        if (o!.status === 'refunded')
          expect([p.refunded, back?.n, back?.amount], `refund of ${o!.id}`).toEqual([o!.total, 1, o!.total]);
        else expect([p.refunded, back], `no refund of ${o!.id}`).toEqual([0, undefined]);
      }
      expect(payments.length).toBe(bought.length);

      // The sales report and the seat map say the same.
      const report = await shop.sales(admin, ev.id);
      expect(report.tickets).toBe(SEATS);
      const paidTotal = final.filter((o) => o.status === 'paid').reduce((s, o) => s + o.total, 0);
      expect(report.revenue).toBe(paidTotal);
      const status = await shop.seatStatuses(ev.id);
      const booked = [...status].flatMap((s, n) => (s === BOOKED ? [ev.layout.seatIds[n]] : []));
      expect(booked.sort()).toEqual([...seats].sort());
      expect(status.filter((s) => s === HELD).length, 'holds left behind').toBe(0);

      console.log(
        `${target.name}: ${SEATS} seats, ${SEATS * 2} holds at once, ${bought.length} orders ` +
          `(${lapsed} lapsed, ${refunds} refunded late, ${lapsed - refunds} booked late); ` +
          `flows ${Math.round(flowsMs)} ms, settled and checked ${Math.round(performance.now() - started)} ms`,
      );
    }, 150_000);
  });
}
