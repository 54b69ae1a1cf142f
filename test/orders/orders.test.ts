import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/payments/stripe-events.ts';
import { tiers } from '../catalog/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { databaseTargets, dropSchema } from '../support/services.ts';
import { OK_CARD } from '../support/shop.ts';

// Orders through the real server, on both databases: checkout with its key, the simulated
// provider's test cards through the signed webhook, tickets from the journal, codes counted
// exactly, late payments, refunds, the box office, the sales report and bad input.

const ADMIN = { email: 'orders-admin@example.com', password: 'admin-password-1' };
/** The show's bill: 150 per ticket, 2 % per order, 10 % tax on top. */
const SHOW_PRICING = {
  currency: 'EUR',
  perTicketFee: { fixed: 150 },
  perOrderFee: { percentBp: 200 },
  taxRateBp: 1000,
};
const DECLINED = '4000000000000002';

const targets = databaseTargets('orders_http');

for (const target of targets) {
  describe(`orders on ${target.name}`, () => {
    let t: TestServer;
    let admin: string;
    let schema: string | undefined;
    let skip = false;
    const fans: string[] = [];
    let n = 0;

    /** An event at the hall a month ahead, priced from tiers(1000). */
    const makeEvent = async (
      id: string,
      name: string,
      status: string,
      times: Record<string, string> = {},
    ) => {
      const ev = await t.call('POST', '/api/events', {
        token: admin,
        json: {
          id,
          name,
          category: 'concert',
          venueId: 'hall',
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          status,
          ...times,
          priceTiers: tiers(1000),
        },
      });
      expect(ev.status, ev.text).toBe(201);
    };

    beforeAll(async () => {
      const env = await target.env();
      if (!env) {
        skip = true;
        return;
      }
      schema = env.ONSALE_DB_SCHEMA;
      t = await startTestServer({
        ...env,
        ONSALE_ADMIN_EMAIL: ADMIN.email,
        ONSALE_ADMIN_PASSWORD: ADMIN.password,
        // The reconciler asks the provider about payments overdue this long (a test below).
        ONSALE_PAYMENT_OVERDUE_SECONDS: '1',
      });
      admin = (await t.call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
      for (let i = 0; i < 4; i++) {
        const r = await t.call('POST', '/api/accounts/register', {
          json: { email: `buyer${i}@example.com`, password: 'fan-password-1' },
        });
        fans.push(r.body.token);
      }
      const venue = await t.call('POST', '/api/venues', {
        token: admin,
        json: { id: 'hall', name: 'Order Hall', city: 'Oslo', chartTemplate: 'theatre' },
      });
      expect(venue.status, venue.text).toBe(201);
      await makeEvent('show', 'The Show', 'on_sale');
      const pricing = await t.call('PUT', '/api/events/show/pricing', {
        token: admin,
        json: SHOW_PRICING,
      });
      expect(pricing.status, pricing.text).toBe(200);
    }, 90_000);

    afterAll(async () => {
      await t?.stop();
      if (schema) await dropSchema(schema);
    });

    const hold = async (fan: string, seats: string[]) => {
      const r = await t.call('POST', '/api/holds', { token: fan, json: { eventId: 'show', seats } });
      expect(r.status, r.text).toBe(201);
      return r.body.holdId as string;
    };
    const checkout = (fan: string, json: Record<string, unknown>, key: string | null = `k${++n}`) =>
      t.call('POST', '/api/checkout', {
        token: fan,
        json: { eventId: 'show', ...json },
        headers: key === null ? {} : { 'idempotency-key': key },
      });
    const confirm = (fan: string, paymentId: string, card: string) =>
      t.call('POST', `/api/payments/simulated/${paymentId}/confirm`, { token: fan, json: { card } });
    const order = async (fan: string, id: string) =>
      (await t.call('GET', `/api/orders/${id}`, { token: fan })).body.order;
    const paidOrder = async (fan: string, id: string) => {
      await expect.poll(async () => (await order(fan, id)).status, { timeout: 10_000 }).toBe('paid');
      return order(fan, id);
    };

    it('given held seats, when a fan checks out, then a priced pending order; the same key answers the same order, another body with it is refused; paying makes it paid with one ticket per seat', async () => {
      if (skip) return;
      const fan = fans[0];
      const h = await hold(fan, ['101-A-1', '101-A-2']);
      const first = await checkout(fan, { holdIds: [h] }, 'buy-1');
      expect(first.status, first.text).toBe(201);
      const o = first.body.order;
      expect(o.status).toBe('pending_payment');
      // Face prices from the tiers; 150 per ticket, 2 % of the subtotal per order, 10 % tax on top.
      const face = o.lines.reduce((a: number, l: { price: number }) => a + l.price, 0);
      const fees = 300 + Math.floor((face * 200 + 5000) / 10000);
      const tax = Math.floor(((face + fees) * 1000 + 5000) / 10000);
      expect([o.subtotal, o.fees, o.tax, o.total, o.currency]).toEqual([
        face,
        fees,
        tax,
        face + fees + tax,
        'EUR',
      ]);
      expect(face).toBeGreaterThan(0);
      expect(first.body.payment.provider).toBe('simulated');
      const again = await checkout(fan, { holdIds: [h] }, 'buy-1');
      expect([again.status, again.body.order.id, again.body.payment.paymentId]).toEqual([
        200,
        o.id,
        first.body.payment.paymentId,
      ]);
      const other = await checkout(fan, { holdIds: [h], name: 'Someone Else' }, 'buy-1');
      expect([other.status, other.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);

      const paid = await confirm(fan, first.body.payment.paymentId, OK_CARD);
      expect(paid.status, paid.text).toBe(200);
      const done = await paidOrder(fan, o.id);
      expect(done.tickets.map((x: { item: string }) => x.item).sort()).toEqual(['101-A-1', '101-A-2']);
      expect(new Set(done.tickets.map((x: { id: string }) => x.id)).size).toBe(2);
      // The seats are sold: nobody else can hold them.
      const taken = await t.call('POST', '/api/holds', {
        token: fans[1],
        json: { eventId: 'show', seats: ['101-A-1'] },
      });
      expect(taken.body.error?.code).toBe('SEAT_UNAVAILABLE');
      // The fan's list has it; another fan cannot read it.
      const mine = await t.call('GET', '/api/orders', { token: fan });
      expect(mine.body.orders.map((x: { id: string }) => x.id)).toContain(o.id);
      expect((await t.call('GET', `/api/orders/${o.id}`, { token: fans[1] })).status).toBe(404);
    });

    it('given a declined card, then the order stays pending with the reason and its holds live on, so the fan can pay again', async () => {
      if (skip) return;
      const fan = fans[1];
      const h = await hold(fan, ['101-B-1']);
      const c = await checkout(fan, { holdIds: [h] });
      expect(c.status, c.text).toBe(201);
      const declined = await confirm(fan, c.body.payment.paymentId, DECLINED);
      expect(declined.body.status).toBe('failed');
      const after = await order(fan, c.body.order.id);
      expect(after.status).toBe('pending_payment');
      expect(after.payment.error).toContain('card_declined');
      const holds = await t.call('GET', '/api/holds', { token: fan });
      expect(holds.body.holds.map((x: { holdId: string }) => x.holdId)).toContain(h);
      const retry = await confirm(fan, c.body.payment.paymentId, OK_CARD);
      expect(retry.status, retry.text).toBe(200);
      expect((await paidOrder(fan, c.body.order.id)).tickets).toHaveLength(1);
    });

    it('given a code with one use, when two fans check out with it at once, then exactly one gets the discount and the other is refused', async () => {
      if (skip) return;
      const made = await t.call('POST', '/api/events/show/codes', {
        token: admin,
        json: { code: 'half', kind: 'discount', discount: { percentBp: 5000 }, maxUses: 1 },
      });
      expect([made.status, made.body.code?.code]).toEqual([201, 'HALF']);
      const holds = [await hold(fans[2], ['101-C-1']), await hold(fans[3], ['101-C-2'])];
      const tries = await Promise.all([
        checkout(fans[2], { holdIds: [holds[0]], code: 'half' }),
        checkout(fans[3], { holdIds: [holds[1]], code: 'HALF' }),
      ]);
      const statuses = tries.map((r) => r.status).sort();
      expect(statuses, tries.map((r) => r.text).join('\n')).toEqual([201, 409]);
      const won = tries.find((r) => r.status === 201)!;
      const w = won.body.order;
      expect(w.discount).toBe(Math.floor((w.subtotal * 5000 + 5000) / 10000));
      expect(w.discount).toBeGreaterThan(0);
      const codes = await t.call('GET', '/api/events/show/codes', { token: admin });
      expect(codes.body.codes[0].uses).toBe(1);
      expect(tries.find((r) => r.status === 409)!.body.error.code).toBe('CODE_USED_UP');
    });

    it('given a code that takes the whole price, then the order is free: no payment is asked for and it is paid at once', async () => {
      if (skip) return;
      const made = await t.call('POST', '/api/events/show/codes', {
        token: admin,
        json: { code: 'ONTHEHOUSE', kind: 'discount', discount: { percentBp: 10_000 }, maxUses: 5 },
      });
      expect(made.status, made.text).toBe(201);
      const fan = fans[1];
      const h = await hold(fan, ['101-H-1']);
      // No fees here: a free order must come to 0 (fees are charged on what is paid).
      await t.call('PUT', '/api/events/show/pricing', {
        token: admin,
        json: { currency: 'EUR', perTicketFee: { fixed: 0 }, perOrderFee: { fixed: 0 }, taxRateBp: 1000 },
      });
      const c = await checkout(fan, { holdIds: [h], code: 'onthehouse' });
      await t.call('PUT', '/api/events/show/pricing', {
        token: admin,
        json: SHOW_PRICING,
      });
      expect(c.status, c.text).toBe(201);
      expect([c.body.order.total, c.body.order.method, c.body.payment]).toEqual([0, 'free', null]);
      expect((await paidOrder(fan, c.body.order.id)).tickets).toHaveLength(1);
    });

    it('given a hold released before payment, then the order expires; paid late, it books the seats when they are still free, and is refunded when they are gone', async () => {
      if (skip) return;
      const fan = fans[2];
      // Still free: booked anyway.
      const h1 = await hold(fan, ['101-D-1']);
      const c1 = await checkout(fan, { holdIds: [h1] });
      expect((await t.call('DELETE', `/api/holds/${h1}`, { token: fan })).status).toBe(200);
      await expect
        .poll(async () => (await order(fan, c1.body.order.id)).status, { timeout: 10_000 })
        .toBe('expired');
      await confirm(fan, c1.body.payment.paymentId, OK_CARD);
      expect((await paidOrder(fan, c1.body.order.id)).tickets.map((x: { item: string }) => x.item)).toEqual([
        '101-D-1',
      ]);

      // Gone to another fan: refunded automatically, no ticket.
      const h2 = await hold(fan, ['101-D-2']);
      const c2 = await checkout(fan, { holdIds: [h2] });
      await t.call('DELETE', `/api/holds/${h2}`, { token: fan });
      await expect
        .poll(async () => (await order(fan, c2.body.order.id)).status, { timeout: 10_000 })
        .toBe('expired');
      await hold(fans[3], ['101-D-2']);
      await confirm(fan, c2.body.payment.paymentId, OK_CARD);
      await expect
        .poll(async () => (await order(fan, c2.body.order.id)).status, { timeout: 10_000 })
        .toBe('refunded');
      const gone = await order(fan, c2.body.order.id);
      expect([gone.refunded, gone.tickets.filter((x: { status: string }) => x.status === 'valid')]).toEqual([
        gone.total,
        [],
      ]);
    });

    it('given a paid order, when an operator refunds one ticket with its seat blocked and then the rest, then the amounts add up, the blocked seat stays off sale and the other goes back', async () => {
      if (skip) return;
      const fan = fans[3];
      const h = await hold(fan, ['101-E-1', '101-E-2']);
      const c = await checkout(fan, { holdIds: [h] });
      await confirm(fan, c.body.payment.paymentId, OK_CARD);
      const paid = await paidOrder(fan, c.body.order.id);
      const first = paid.tickets.find((x: { item: string }) => x.item === '101-E-1');
      const one = await t.call('POST', `/api/orders/${paid.id}/refunds`, {
        token: admin,
        json: { tickets: [first.id], release: 'blocked', reason: 'broken seat' },
      });
      expect(one.status, one.text).toBe(201);
      expect(one.body.refund.amount).toBe(Math.floor(paid.total / 2));
      // Sent again, twice at once (a double click): the first refund, once.
      const again = await Promise.all(
        [1, 2].map(() =>
          t.call('POST', `/api/orders/${paid.id}/refunds`, {
            token: admin,
            json: { tickets: [first.id], release: 'blocked', reason: 'broken seat' },
          }),
        ),
      );
      expect(again.map((r) => [r.status, r.body.refund?.id])).toEqual([
        [200, one.body.refund.id],
        [200, one.body.refund.id],
      ]);
      expect((await order(fan, paid.id)).status).toBe('partially_refunded');
      // The rest, a new refund sent twice at once: one records it, the other answers it.
      const rest = await Promise.all(
        [1, 2].map(() => t.call('POST', `/api/orders/${paid.id}/refunds`, { token: admin, json: {} })),
      );
      expect(rest.map((r) => r.status).sort(), rest.map((r) => r.text).join('\n')).toEqual([200, 201]);
      expect(rest[0].body.refund.id).toBe(rest[1].body.refund.id);
      const end = await order(fan, paid.id);
      expect([end.status, end.refunded]).toEqual(['refunded', paid.total]);
      await expect
        .poll(
          async () =>
            (
              await t.call('POST', '/api/holds', {
                token: fans[0],
                json: { eventId: 'show', seats: ['101-E-2'] },
              })
            ).status,
          {
            timeout: 5000,
          },
        )
        .toBe(201);
      const blocked = await t.call('POST', '/api/holds', {
        token: fans[0],
        json: { eventId: 'show', seats: ['101-E-1'] },
      });
      expect(blocked.body.error?.code).toBe('SEAT_UNAVAILABLE');
      // The confirmation and both refund mails are in the outbox.
      const { rows } = await t.server.db.query<{ kind: string }>(
        `SELECT kind FROM outbox WHERE dedupe_key LIKE $1 ORDER BY id`,
        [`${paid.id}%`],
      );
      expect(rows.map((r) => r.kind)).toEqual(['order_confirmed', 'order_refunded', 'order_refunded']);
    });

    it('given the box office, when an operator sells held seats for cash, then the order is paid at once with no provider, and the sales report counts it', async () => {
      if (skip) return;
      const h = await hold(admin, ['101-F-1']);
      const sale = await t.call('POST', '/api/box-office/orders', {
        token: admin,
        json: { eventId: 'show', holdIds: [h], method: 'cash', email: 'walk-up@example.com' },
      });
      expect(sale.status, sale.text).toBe(201);
      expect(sale.body.order.method).toBe('cash');
      await paidOrder(admin, sale.body.order.id);
      const report = await t.call('GET', '/api/events/show/sales', { token: admin });
      expect(report.status, report.text).toBe(200);
      expect(report.body.orders).toBeGreaterThanOrEqual(3);
      expect(report.body.byTier.reduce((s: number, r: { tickets: number }) => s + r.tickets, 0)).toBe(
        report.body.tickets,
      );
      const found = await t.call('GET', '/api/orders?email=walk-up@example.com', { token: admin });
      expect(found.body.orders.map((o: { id: string }) => o.id)).toEqual([sale.body.order.id]);
    });

    it('given an event in presale, then a fan with its presale code may hold and one without may not', async () => {
      if (skip) return;
      const HOUR = 3_600_000;
      await makeEvent('early-show', 'Early Show', 'scheduled', {
        presaleAt: new Date(Date.now() - HOUR).toISOString(),
        onSaleAt: new Date(Date.now() + HOUR).toISOString(),
      });
      await expect
        .poll(async () => (await t.call('GET', '/api/events/early-show', { token: admin })).body.status, {
          timeout: 5000,
        })
        .toBe('presale');
      const code = await t.call('POST', '/api/events/early-show/codes', {
        token: admin,
        json: { code: 'fanclub', kind: 'presale', maxUses: 100 },
      });
      expect(code.status, code.text).toBe(201);
      const hold = (presaleCode?: string) =>
        t.call('POST', '/api/holds', {
          token: fans[0],
          json: { eventId: 'early-show', seats: ['101-A-1'], ...(presaleCode ? { presaleCode } : {}) },
        });
      expect((await hold()).body.error?.code).toBe('PRESALE_ONLY');
      expect((await hold('WRONG')).body.error?.code).toBe('PRESALE_ONLY');
      const ok = await hold('FanClub');
      expect(ok.status, ok.text).toBe(201);
    });

    it('given an event with paid and unpaid orders, when an operator cancels it, then every paid order is refunded once, unpaid ones are cancelled, the sale closes and the buyers are told', async () => {
      if (skip) return;
      await makeEvent('doomed', 'Doomed Show', 'on_sale');
      const buy = async (fan: string, seat: string, pay: boolean) => {
        const r = await t.call('POST', '/api/holds', {
          token: fan,
          json: { eventId: 'doomed', seats: [seat] },
        });
        expect(r.status, r.text).toBe(201);
        const c = await t.call('POST', '/api/checkout', {
          token: fan,
          json: { eventId: 'doomed', holdIds: [r.body.holdId] },
          headers: { 'idempotency-key': `doomed-${seat}` },
        });
        expect(c.status, c.text).toBe(201);
        if (pay) await confirm(fan, c.body.payment.paymentId, OK_CARD);
        return c.body.order.id as string;
      };
      const paid = [await buy(fans[0], '101-G-1', true), await buy(fans[1], '101-G-2', true)];
      const unpaid = await buy(fans[2], '101-G-3', false);
      for (const id of paid)
        await expect.poll(async () => (await order(admin, id)).status, { timeout: 10_000 }).toBe('paid');
      const cancel = await t.call('POST', '/api/events/doomed/cancel', {
        token: admin,
        json: { reason: 'the band split up' },
      });
      expect([cancel.status, cancel.body.refunded], cancel.text).toEqual([200, 2]);
      for (const id of paid) {
        const o = await order(admin, id);
        expect([o.status, o.refunded]).toEqual(['refunded', o.total]);
      }
      expect((await order(admin, unpaid)).status).toBe('cancelled');
      expect((await t.call('GET', '/api/events/doomed', { token: admin })).body.status).toBe('cancelled');
      // Cancelling again refunds nothing twice.
      const again = await t.call('POST', '/api/events/doomed/cancel', {
        token: admin,
        json: { reason: 'again' },
      });
      expect([again.status, again.body.refunded]).toEqual([200, 0]);
      const { rows } = await t.server.db.query<{ kind: string; n: number }>(
        `SELECT kind, count(*)::int AS n FROM outbox WHERE dedupe_key LIKE ANY($1::text[]) GROUP BY kind ORDER BY kind`,
        [paid.map((id) => `${id}%`)],
      );
      expect(rows).toEqual([
        { kind: 'event_cancelled', n: 2 },
        { kind: 'order_confirmed', n: 2 },
      ]);
    });

    it('given webhooks out of order and twice, then a failure after the success changes nothing and a repeated success books nothing more', async () => {
      if (skip) return;
      const fan = fans[0];
      const h = await hold(fan, ['101-J-1']);
      const c = await checkout(fan, { holdIds: [h] });
      const paymentId = c.body.payment.paymentId as string;
      await confirm(fan, paymentId, OK_CARD);
      const paid = await paidOrder(fan, c.body.order.id);
      const send = (id: string, type: string, extra: Record<string, unknown> = {}) => {
        const payload = JSON.stringify({
          id,
          object: 'event',
          type,
          created: Math.floor(Date.now() / 1000),
          data: {
            object: {
              id: paymentId,
              object: 'payment_intent',
              amount: paid.total,
              currency: 'eur',
              metadata: { orderId: paid.id },
              ...extra,
            },
          },
        });
        const secret = t.server.payments.simulated!.webhookSecret;
        return t.call('POST', '/api/payments/webhook', {
          raw: payload,
          headers: { 'stripe-signature': signStripePayload(payload, secret) },
        });
      };
      const late = await send('evt_late_failure', 'payment_intent.payment_failed', {
        last_payment_error: { code: 'card_declined', message: 'declined after all' },
      });
      expect(late.status, late.text).toBe(200);
      const again = await send('evt_repeat_success', 'payment_intent.succeeded');
      expect(again.status, again.text).toBe(200);
      const after = await order(fan, paid.id);
      expect([after.status, after.payment.status, after.payment.error, after.tickets.length]).toEqual([
        'paid',
        'succeeded',
        null,
        1,
      ]);
    });

    it('given a payment whose webhook never arrives, then the reconciler asks the provider and the order is paid; the webhook arriving at last changes nothing', async () => {
      if (skip) return;
      const fan = fans[2];
      const h = await hold(fan, ['101-L-1']);
      const c = await checkout(fan, { holdIds: [h] });
      const sim = t.server.payments.simulated!;
      await sim.setWebhookUrl('http://127.0.0.1:9/nowhere');
      try {
        const paid = await confirm(fan, c.body.payment.paymentId, OK_CARD);
        expect(paid.body.status).toBe('succeeded');
        expect((await order(fan, c.body.order.id)).status).toBe('pending_payment');
        const done = await paidOrder(fan, c.body.order.id);
        expect(done.tickets).toHaveLength(1);
        const { rows } = await t.server.db.query<{ id: string }>(
          'SELECT id FROM payment_webhooks WHERE id = $1',
          [`retrieved:${c.body.payment.paymentId}`],
        );
        expect(rows).toHaveLength(1);
      } finally {
        await sim.setWebhookUrl(`${t.url}/api/payments/webhook`);
      }
      await expect
        .poll(
          async () => {
            const r = await t.server.db.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM simulated_webhooks WHERE delivered_at IS NULL AND abandoned_at IS NULL',
            );
            return r.rows[0].n;
          },
          { timeout: 10_000 },
        )
        .toBe(0);
      const after = await order(fan, c.body.order.id);
      expect([after.status, after.tickets.length]).toEqual(['paid', 1]);
    });

    it('given a cancellation recorded but not carried out (a crash half-way), when the server starts again, then it finishes: the paid order is refunded', async () => {
      if (skip) return;
      await makeEvent('halfway', 'Halfway Show', 'on_sale');
      const r = await t.call('POST', '/api/holds', {
        token: fans[1],
        json: { eventId: 'halfway', seats: ['101-A-1'] },
      });
      const c = await t.call('POST', '/api/checkout', {
        token: fans[1],
        json: { eventId: 'halfway', holdIds: [r.body.holdId] },
        headers: { 'idempotency-key': 'halfway-1' },
      });
      await confirm(fans[1], c.body.payment.paymentId, OK_CARD);
      await paidOrder(fans[1], c.body.order.id);
      // What POST /api/events/:id/cancel writes first, and nothing after it.
      await t.server.db.query('INSERT INTO event_cancellations (event_id, reason) VALUES ($1, $2)', [
        'halfway',
        'flood',
      ]);
      t = await t.restart();
      admin = (await t.call('POST', '/api/accounts/login', { json: ADMIN })).body.token;
      await expect
        .poll(async () => (await order(admin, c.body.order.id)).status, { timeout: 15_000 })
        .toBe('refunded');
      expect((await t.call('GET', '/api/events/halfway', { token: admin })).body.status).toBe('cancelled');
    });

    it('given the box office, when it gives complimentary tickets, then the order costs nothing and is paid; operators find it by seat and by ticket', async () => {
      if (skip) return;
      const h = await hold(admin, ['101-K-1', '101-K-2']);
      const comp = await t.call('POST', '/api/box-office/orders', {
        token: admin,
        json: { eventId: 'show', holdIds: [h], method: 'comp', email: 'Guest@Example.com', name: 'A Guest' },
      });
      expect(comp.status, comp.text).toBe(201);
      expect([comp.body.order.total, comp.body.order.method, comp.body.order.email]).toEqual([
        0,
        'comp',
        'guest@example.com',
      ]);
      const done = await paidOrder(admin, comp.body.order.id);
      const bySeat = await t.call('GET', '/api/orders?seat=101-K-2&eventId=show', { token: admin });
      expect(bySeat.body.orders.map((o: { id: string }) => o.id)).toEqual([done.id]);
      const byTicket = await t.call('GET', `/api/orders?ticket=${done.tickets[0].id}`, { token: admin });
      expect(byTicket.body.orders.map((o: { id: string }) => o.id)).toEqual([done.id]);
    });

    it('given many orders, then operators page through the orders of an event newest first, each once, by the cursor', async () => {
      if (skip) return;
      const all = (
        await t.server.db.query<{ id: string }>(
          `SELECT id FROM orders WHERE event_id = 'show' ORDER BY created_at DESC, id DESC`,
        )
      ).rows.map((r) => r.id);
      expect(all.length).toBeGreaterThan(6);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const r = await t.call('GET', `/api/orders?eventId=show&limit=3${after ? `&after=${after}` : ''}`, {
          token: admin,
        });
        expect(r.status, r.text).toBe(200);
        seen.push(...r.body.orders.map((o: { id: string }) => o.id));
        after = r.body.next;
        if (!after) break;
      }
      expect(seen).toEqual(all);
      const bad = await t.call('GET', '/api/orders?eventId=show&after=bm90LWEtY3Vyc29y', { token: admin });
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'INVALID_QUERY']);
    });

    it('given bad requests, then clear errors and nothing changes', async () => {
      if (skip) return;
      const fan = (
        await t.call('POST', '/api/accounts/register', {
          json: { email: 'nobody@example.com', password: 'fan-password-1' },
        })
      ).body.token;
      expect((await checkout(fan, {}, null)).body.error?.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      const none = await checkout(fan, {});
      expect([none.status, none.body.error?.code]).toEqual([409, 'NO_HOLDS']);
      const unknown = await checkout(fan, { holdIds: ['show~nope'] });
      expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'HOLD_NOT_FOUND']);
      const noEvent = await checkout(fan, { eventId: 'no-such-event' });
      expect(noEvent.status).toBe(404);
      expect((await t.call('GET', '/api/orders/ord_nope', { token: fan })).status).toBe(404);
      expect((await t.call('GET', '/api/orders?email=x@example.com', { token: fan })).status).toBe(403);
      const badCode = await t.call('POST', '/api/events/show/codes', {
        token: admin,
        json: { code: 'x', kind: 'discount' },
      });
      expect(badCode.status).toBe(400);
      const badPricing = await t.call('PUT', '/api/events/show/pricing', {
        token: admin,
        json: { currency: 'eur', perTicketFee: { fixed: -1 }, perOrderFee: { fixed: 0 }, taxRateBp: 0 },
      });
      expect(badPricing.status).toBe(400);
    });
  });
}
