import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialOf } from '../../src/tickets/credentials.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { databaseTargets, dropSchema } from '../support/services.ts';
import { type Fan, ordinarySeats, Shop, type ShopEvent, until } from '../support/shop.ts';

// Resale through the real server, on both databases: a holder lists a ticket at no more than
// the event's cap, the seat turns `resale` on the map, a buyer checks out the listing and
// pays, the ticket is reissued to the buyer (the seller's credential revoked), the payout is
// recorded, and the listing is not bought twice; withdrawals and the event's start close it.

const ADMIN = { email: 'resale-admin@example.com', password: 'admin-password-1' };
const RESALE = 5;
const BOOKED = 2;
const targets = databaseTargets('resale_http');

for (const target of targets) {
  describe(`resale on ${target.name}`, () => {
    let t: TestServer;
    let shop: Shop;
    let admin: string;
    let schema: string | undefined;
    let ev: ShopEvent;
    let fans: Fan[];
    let seatNo = 0;
    let key = 0;

    beforeAll(async () => {
      const env = await target.env();
      if (!env) return;
      schema = env.ONSALE_DB_SCHEMA;
      t = await startTestServer({
        ...env,
        ONSALE_ADMIN_EMAIL: ADMIN.email,
        ONSALE_ADMIN_PASSWORD: ADMIN.password,
      });
      shop = new Shop(t.url);
      admin = await shop.login(ADMIN.email, ADMIN.password);
      ev = await shop.openEvent(admin, 'resold');
      fans = await shop.registerFans('resale', 6);
    }, 90_000);

    afterAll(async () => {
      await t?.stop();
      if (schema) await dropSchema(schema);
    });

    /** A paid order of one seat for the fan, and its ticket. */
    const buySeat = async (fan: Fan, eventId = ev.id, layout = ev.layout) => {
      const [seat] = ordinarySeats(layout, 1, seatNo++);
      const h = await shop.hold(fan.token, eventId, [seat]);
      expect(h.status, h.text).toBe(201);
      const c = await shop.checkout(fan.token, eventId, [h.body.holdId], `r${++key}`);
      expect(c.status, c.text).toBe(201);
      expect((await shop.confirm(fan.token, c.body.payment.paymentId)).status).toBe(200);
      const order = await until(
        () => shop.order(fan.token, c.body.order.id),
        (o) => o.status === 'paid',
        { timeoutMs: 10_000, what: 'the order paid' },
      );
      return { order, ticket: order.tickets[0], seatNo: layout.seatIndex.get(seat)! };
    };
    const listIt = (fan: Fan, ticketId: string, price: number) =>
      shop.call('POST', `/api/tickets/${ticketId}/resale`, { token: fan.token, json: { price } });
    const buyListing = (fan: Fan, listingId: string, eventId = ev.id) =>
      shop.call('POST', '/api/checkout', {
        token: fan.token,
        json: { eventId, listingId },
        headers: { 'idempotency-key': `buy-${++key}` },
      });
    const offers = async (eventId = ev.id) =>
      (await shop.call('GET', `/api/events/${eventId}/resale`)).body.listings as {
        id: string;
        price: number;
      }[];
    const ticketsOf = async (fan: Fan) =>
      ((await shop.call('GET', '/api/tickets', { token: fan.token })).body.tickets as { id: string }[]).map(
        (x) => x.id,
      );

    it('given a bought ticket, when its holder lists it above the cap (face value by default), then 422 and nothing changes; at the cap it is listed, the seat shows resale and a plain transfer is refused', async (ctx) => {
      if (!t) return ctx.skip();
      const [seller, , friend] = fans;
      const { order, ticket, seatNo: s } = await buySeat(seller);
      const cap = await shop.call('GET', `/api/tickets/${ticket.id}/resale-cap`, { token: seller.token });
      expect(cap.status, cap.text).toBe(200);
      expect(cap.body.cap).toBe(order.total);
      const above = await listIt(seller, ticket.id, order.total + 1);
      expect(above.status, above.text).toBe(422);
      expect(above.body.error.code).toBe('RESALE_ABOVE_CAP');
      expect((await shop.seatStatuses(ev.id))[s]).toBe(BOOKED);
      expect(await offers()).toEqual([]);
      // Another fan cannot list it: to them it does not exist.
      expect((await listIt(fans[1], ticket.id, 100)).status).toBe(404);

      const listed = await listIt(seller, ticket.id, order.total);
      expect(listed.status, listed.text).toBe(201);
      expect(listed.body.listing).toMatchObject({
        ticketId: ticket.id,
        price: order.total,
        status: 'listed',
      });
      expect((await shop.seatStatuses(ev.id))[s]).toBe(RESALE);
      expect((await offers()).map((l) => l.id)).toContain(listed.body.listing.id);
      const again = await listIt(seller, ticket.id, order.total - 1);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('LISTING_EXISTS');
      const transfer = await shop.call('POST', `/api/tickets/${ticket.id}/transfer`, {
        token: seller.token,
        json: { email: friend.email },
      });
      expect(transfer.status, transfer.text).toBe(409);
      expect(transfer.body.error.code).toBe('SEAT_LISTED');
    });

    it('given a listing, when a buyer checks it out and pays, then the ticket is the buyer’s with a new credential (the old one revoked), the seat is booked, the payout recorded, and nobody can buy it again', async (ctx) => {
      if (!t) return ctx.skip();
      const [seller, buyer, other] = [fans[0], fans[1], fans[3]];
      const { ticket, seatNo: s } = await buySeat(seller);
      const before = (await credentialOf(t.server.db, ticket.id)) ?? null;
      const listing = (await listIt(seller, ticket.id, 900)).body.listing;
      expect((await buyListing(seller, listing.id)).body.error.code).toBe('LISTING_UNAVAILABLE'); // one's own

      const c = await buyListing(buyer, listing.id);
      expect(c.status, c.text).toBe(201);
      expect(c.body.order).toMatchObject({ status: 'pending_payment', total: 900 });
      // Reserved for the paying buyer: a second buyer is turned away at checkout.
      const second = await buyListing(other, listing.id);
      expect(second.status, second.text).toBe(409);
      expect(second.body.error.code).toBe('LISTING_UNAVAILABLE');

      expect((await shop.confirm(buyer.token, c.body.payment.paymentId)).status).toBe(200);
      await until(
        () => shop.order(buyer.token, c.body.order.id),
        (o) => o.status === 'paid',
        { timeoutMs: 10_000, what: 'the resale order paid' },
      );
      await until(
        () => ticketsOf(buyer),
        (ids) => ids.includes(ticket.id),
        {
          timeoutMs: 10_000,
          what: 'the ticket reissued to the buyer',
        },
      );
      expect(await ticketsOf(seller)).not.toContain(ticket.id);
      const after = (await credentialOf(t.server.db, ticket.id))!;
      expect(after.ownerId).toBe(buyer.id);
      expect(after.version).toBe((before?.version ?? 1) + 1);
      const revoked = await shop.call('GET', `/api/events/${ev.id}/revocations`, { token: admin });
      expect(revoked.body.revocations).toContainEqual(
        expect.objectContaining({ ticketId: ticket.id, version: after.version - 1 }),
      );
      expect((await shop.seatStatuses(ev.id))[s]).toBe(BOOKED);
      const mine = await shop.call('GET', '/api/resale/mine', { token: seller.token });
      expect(mine.body.listings.find((l: { id: string }) => l.id === listing.id).status).toBe('sold');
      expect(mine.body.payouts).toContainEqual(
        expect.objectContaining({ listingId: listing.id, orderId: c.body.order.id, amount: 900 }),
      );
      expect((await offers()).map((l) => l.id)).not.toContain(listing.id);
      const late = await buyListing(other, listing.id);
      expect(late.status).toBe(409);
      // The seller cannot take back what was sold, nor list a ticket no longer theirs.
      expect((await shop.call('DELETE', `/api/resale/${listing.id}`, { token: seller.token })).status).toBe(
        409,
      );
      expect((await listIt(seller, ticket.id, 500)).status).toBe(404);
    });

    it('given two buyers racing for one listing, then exactly one gets an order and pays; the other is refused', async (ctx) => {
      if (!t) return ctx.skip();
      const [seller, a, b] = [fans[2], fans[4], fans[5]];
      const { ticket } = await buySeat(seller);
      const listing = (await listIt(seller, ticket.id, 800)).body.listing;
      const tries = await Promise.all([a, b, a, b].map((f) => buyListing(f, listing.id)));
      const won = tries.filter((r) => r.status === 201);
      expect(won).toHaveLength(1);
      for (const r of tries.filter((x) => x.status !== 201))
        expect(r.body.error.code).toBe('LISTING_UNAVAILABLE');
      const winner = won[0] === tries[0] || won[0] === tries[2] ? a : b;
      expect((await shop.confirm(winner.token, won[0].body.payment.paymentId)).status).toBe(200);
      await until(
        () => ticketsOf(winner),
        (ids) => ids.includes(ticket.id),
        {
          timeoutMs: 10_000,
          what: 'the winner holding the ticket',
        },
      );
      const loser = winner === a ? b : a;
      expect(await ticketsOf(loser)).not.toContain(ticket.id);
    });

    it('given a buyer whose reservation lapsed and another who bought the listing meanwhile, when the first pays late, then the first is refunded in full and the ticket stays the second’s', async (ctx) => {
      if (!t) return ctx.skip();
      const [seller, late, quick] = [fans[2], fans[3], fans[4]];
      const { ticket } = await buySeat(seller);
      const listing = (await listIt(seller, ticket.id, 650)).body.listing;
      const first = await buyListing(late, listing.id);
      expect(first.status, first.text).toBe(201);
      // The reservation runs out (as it would after ten minutes).
      await t.server.db.query(
        `UPDATE resale_listings SET reserved_until = now() - interval '1 second' WHERE id = $1`,
        [listing.id],
      );
      const second = await buyListing(quick, listing.id);
      expect(second.status, second.text).toBe(201);
      expect((await shop.confirm(quick.token, second.body.payment.paymentId)).status).toBe(200);
      await until(
        () => ticketsOf(quick),
        (ids) => ids.includes(ticket.id),
        {
          timeoutMs: 10_000,
          what: 'the quick buyer holding the ticket',
        },
      );
      expect((await shop.confirm(late.token, first.body.payment.paymentId)).status).toBe(200);
      const refunded = await until(
        () => shop.order(late.token, first.body.order.id),
        (o) => o.status === 'refunded',
        { timeoutMs: 10_000, what: 'the late order refunded', describe: (o) => o.status },
      );
      expect(refunded.refunded).toBe(650);
      expect(await ticketsOf(late)).not.toContain(ticket.id);
      expect(await ticketsOf(quick)).toContain(ticket.id);
    });

    it('given a listing withdrawn by its seller, then the seat is booked again and a checkout of it is refused; the operator’s cap and switch apply to new listings', async (ctx) => {
      if (!t) return ctx.skip();
      const [seller, buyer] = [fans[0], fans[3]];
      const { order, ticket, seatNo: s } = await buySeat(seller);
      const listing = (await listIt(seller, ticket.id, 700)).body.listing;
      expect((await shop.call('DELETE', `/api/resale/${listing.id}`, { token: buyer.token })).status).toBe(
        404,
      );
      const w = await shop.call('DELETE', `/api/resale/${listing.id}`, { token: seller.token });
      expect(w.status, w.text).toBe(200);
      expect(w.body.listing.status).toBe('withdrawn');
      expect((await shop.seatStatuses(ev.id))[s]).toBe(BOOKED);
      expect((await buyListing(buyer, listing.id)).status).toBe(409);

      const p = await shop.call('PUT', `/api/events/${ev.id}/resale-policy`, {
        token: admin,
        json: { capBp: 5000, enabled: true },
      });
      expect(p.status, p.text).toBe(200);
      expect(
        (
          await shop.call('PUT', `/api/events/${ev.id}/resale-policy`, {
            token: seller.token,
            json: { capBp: 1, enabled: true },
          })
        ).status,
      ).toBe(403);
      const half = Math.round(order.total / 2);
      expect((await listIt(seller, ticket.id, half + 1)).body.error.code).toBe('RESALE_ABOVE_CAP');
      await shop.call('PUT', `/api/events/${ev.id}/resale-policy`, {
        token: admin,
        json: { capBp: 5000, enabled: false },
      });
      expect((await listIt(seller, ticket.id, half)).body.error.code).toBe('RESALE_CLOSED');
      await shop.call('PUT', `/api/events/${ev.id}/resale-policy`, {
        token: admin,
        json: { capBp: 10000, enabled: true },
      });
      const relisted = await listIt(seller, ticket.id, half);
      expect(relisted.status, relisted.text).toBe(201);
      expect(relisted.body.listing.id).not.toBe(listing.id);
    });

    it('given listings of an event that has started, then they are withdrawn and no new one is taken', async (ctx) => {
      if (!t) return ctx.skip();
      const seller = fans[1];
      const soon = await shop.openEvent(admin, 'starting', 'starting-hall');
      const { ticket, seatNo: s } = await buySeat(seller, soon.id, soon.layout);
      const listing = (await listIt(seller, ticket.id, 500)).body.listing;
      expect((await shop.seatStatuses(soon.id))[s]).toBe(RESALE);
      const moved = await shop.call('PUT', `/api/events/${soon.id}`, {
        token: admin,
        json: { startsAt: new Date(Date.now() - 60_000).toISOString() },
      });
      expect(moved.status, moved.text).toBe(200);
      await t.server.resale.sweep();
      expect((await shop.seatStatuses(soon.id))[s]).toBe(BOOKED);
      expect(await offers(soon.id)).toEqual([]);
      const mine = await shop.call('GET', '/api/resale/mine', { token: seller.token });
      expect(mine.body.listings.find((l: { id: string }) => l.id === listing.id).status).toBe('withdrawn');
      expect((await listIt(seller, ticket.id, 400)).body.error.code).toBe('RESALE_CLOSED');
    });

    it('given bad input, then a clear error and nothing listed', async (ctx) => {
      if (!t) return ctx.skip();
      const seller = fans[0];
      const { ticket } = await buySeat(seller);
      for (const price of [0, -5, 1.5, 'ten', null]) {
        const r = await shop.call('POST', `/api/tickets/${ticket.id}/resale`, {
          token: seller.token,
          json: { price },
        });
        expect(r.status, r.text).toBe(400);
      }
      expect(
        (await shop.call('POST', `/api/tickets/${ticket.id}/resale`, { json: { price: 5 } })).status,
      ).toBe(401);
      const both = await shop.call('POST', '/api/checkout', {
        token: fans[1].token,
        json: { eventId: ev.id, listingId: 'x', holdIds: ['h'] },
        headers: { 'idempotency-key': 'bad-1' },
      });
      expect(both.status).toBe(400);
      expect((await buyListing(fans[1], 'no-such-listing')).status).toBe(404);
      expect((await shop.call('DELETE', '/api/resale/no-such', { token: seller.token })).status).toBe(404);
    });
  });
}
