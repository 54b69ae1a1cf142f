import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOKED, RESALE } from '../../src/domain/seat-status.ts';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import type { Res } from '../support/http.ts';
import { pgliteTemplate } from '../support/server.ts';
import { type ServerProcess, startServerProcess, waitReady } from '../support/server-process.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';
import { type Fan, inBatches, ordinarySeats, Shop, until } from '../support/shop.ts';

// The resale market against kill -9: sellers list their tickets, two buyers race for each
// listing and the winner pays, and the server is killed at a random moment of that. After the
// restart, every purchase is finished (checkouts retried with their keys, payments confirmed
// again), and then: no listing is sold twice, a sold listing's seat is booked and its ticket
// is the paying buyer's with its credential reissued exactly once, one payout per sale; a
// listing still open shows `resale` on the map; every paid order has its listing.

const ADMIN = { email: 'resale-crash-admin@example.com', password: 'admin-password-1' };
const EVENT = 'resale-crash';
const LISTINGS = 24;
const ENV = {
  ONSALE_DEMO: '0',
  ONSALE_ADMIN_EMAIL: ADMIN.email,
  ONSALE_ADMIN_PASSWORD: ADMIN.password,
  ONSALE_RATE_IP_PER_SEC: '100000',
  ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
  ONSALE_FAULT_APPEND_DELAY_MS: '5',
};

const pgUp = await postgresAvailable();

interface Listing {
  id: string;
  ticketId: string;
  seat: number;
  price: number;
}

interface Attempt {
  listing: Listing;
  buyer: Fan;
  key: string;
  orderId: string | null;
  paymentId: string | null;
  /** The confirm was answered 200. */
  paid: boolean;
}

async function answer(f: () => Promise<Res>): Promise<Res | null> {
  try {
    const r = await f();
    return r.status >= 500 ? null : r;
  } catch {
    return null;
  }
}

const checkout = (shop: Shop, a: Attempt) =>
  shop.call('POST', '/api/checkout', {
    token: a.buyer.token,
    json: { eventId: EVENT, listingId: a.listing.id },
    headers: { 'idempotency-key': a.key },
  });

/** Checks out the listing and pays for it, as far as the server lets it before it dies. */
async function buy(shop: Shop, a: Attempt): Promise<void> {
  const c = await answer(() => checkout(shop, a));
  if (c?.status !== 201) return;
  a.orderId = c.body.order.id;
  a.paymentId = c.body.payment.paymentId;
  await new Promise((r) => setTimeout(r, Math.random() * 200));
  const p = await answer(() => shop.confirm(a.buyer.token, a.paymentId!));
  if (p?.status === 200) a.paid = true;
}

async function storm(env: Record<string, string>, openForCheck: () => Promise<Db>): Promise<void> {
  let server: ServerProcess = await startServerProcess(env);
  await waitReady(server.url);
  let shop = new Shop(server.url);
  const admin = await shop.login(ADMIN.email, ADMIN.password);
  const [sellers, buyers, ev] = await Promise.all([
    shop.registerFans('seller', LISTINGS),
    shop.registerFans('buyer', 16),
    shop.openEvent(admin, EVENT),
  ]);
  const seats = ordinarySeats(ev.layout, LISTINGS);
  // Each seller buys a seat and lists it.
  const listings = await inBatches(sellers, 6, async (seller, i): Promise<Listing> => {
    const h = await shop.hold(seller.token, EVENT, [seats[i]]);
    const c = await shop.checkout(seller.token, EVENT, [h.body.holdId], `own-${i}`);
    await shop.confirm(seller.token, c.body.payment.paymentId);
    const order = await until(
      () => shop.order(seller.token, c.body.order.id),
      (o) => o.status === 'paid',
      { timeoutMs: 15_000, what: `seller ${i}'s order paid` },
    );
    const price = 500 + Math.floor(Math.random() * (order.total - 500));
    const l = await shop.call('POST', `/api/tickets/${order.tickets[0].id}/resale`, {
      token: seller.token,
      json: { price },
    });
    expect(l.status, l.text).toBe(201);
    return {
      id: l.body.listing.id,
      ticketId: order.tickets[0].id,
      seat: ev.layout.seatIndex.get(seats[i])!,
      price,
    };
  });

  // Two buyers race for every listing; the server dies at a random moment of it.
  const attempts: Attempt[] = listings.flatMap((listing, i) =>
    [0, 1].map((k) => ({
      listing,
      buyer: buyers[(2 * i + k) % buyers.length],
      key: `buy-${i}-${k}`,
      orderId: null,
      paymentId: null,
      paid: false,
    })),
  );
  const running = inBatches(attempts, 12, (a) => buy(shop, a));
  await new Promise((r) => setTimeout(r, 50 + Math.random() * 700));
  server.child.kill('SIGKILL');
  await server.exited;
  await running;
  const paidBefore = attempts.filter((a) => a.paid).length;

  server = await startServerProcess(env);
  await waitReady(server.url);
  shop = new Shop(server.url);
  try {
    // Finish every purchase: a checkout retried with its key answers the order it made (or
    // makes it, or is refused: the other buyer has it); an unconfirmed payment is confirmed.
    for (const a of attempts) {
      if (!a.orderId) {
        const c = await checkout(shop, a);
        if (c.status === 200 || c.status === 201) {
          a.orderId = c.body.order.id;
          a.paymentId = c.body.payment?.paymentId ?? null;
        } else expect(c.body.error.code, c.text).toMatch(/LISTING_UNAVAILABLE/);
      }
      if (a.orderId && !a.paid && a.paymentId) {
        const p = await shop.confirm(a.buyer.token, a.paymentId);
        // Already settled: the confirm before the kill took, only its answer was lost.
        if (p.status === 200 || p.body?.error?.code === 'PAYMENT_SETTLED') a.paid = true;
        else expect.fail(`confirm ${a.paymentId}: ${p.status} ${p.text}`);
      }
    }
    const orders = new Map<string, { status: string }>();
    for (const a of attempts.filter((x) => x.paid)) {
      const o = await until(
        () => shop.order(a.buyer.token, a.orderId!),
        (x) => x.status === 'paid' || x.status === 'refunded',
        { timeoutMs: 20_000, what: `order ${a.orderId} settled`, describe: (x) => x.status },
      );
      orders.set(a.orderId!, o);
    }
    const status = await shop.seatStatuses(EVENT);
    const db = await openForCheck();
    try {
      for (const l of listings) {
        const paid = attempts.filter(
          (a) => a.listing === l && a.orderId && orders.get(a.orderId)?.status === 'paid',
        );
        expect(paid.length, `paid orders of listing ${l.id}`).toBeLessThanOrEqual(1);
        const { rows } = await db.query<{ status: string; order_id: string | null }>(
          'SELECT status, order_id FROM resale_listings WHERE id = $1',
          [l.id],
        );
        const { rows: cred } = await db.query<{ owner_id: string; version: number }>(
          'SELECT owner_id, version FROM ticket_credentials WHERE ticket_id = $1',
          [l.ticketId],
        );
        const { rows: payouts } = await db.query<{ amount: number; order_id: string }>(
          'SELECT amount, order_id FROM resale_payouts WHERE listing_id = $1',
          [l.id],
        );
        if (paid.length === 1) {
          expect(rows[0], `listing ${l.id}`).toEqual({ status: 'sold', order_id: paid[0].orderId });
          expect(status[l.seat]).toBe(BOOKED);
          expect(cred[0]).toEqual({ owner_id: paid[0].buyer.id, version: 2 });
          expect(payouts).toEqual([{ amount: l.price, order_id: paid[0].orderId }]);
        } else {
          expect(rows[0].status, `listing ${l.id} with no paid order`).toBe('listed');
          expect(status[l.seat]).toBe(RESALE);
          expect(cred[0].version).toBe(1);
          expect(payouts).toEqual([]);
        }
      }
      // Every order refunded is one whose listing another buyer paid for.
      for (const a of attempts.filter((x) => x.orderId && orders.get(x.orderId)?.status === 'refunded')) {
        const other = attempts.find(
          (b) => b.listing === a.listing && b !== a && b.orderId && orders.get(b.orderId)?.status === 'paid',
        );
        expect(other, `refunded order ${a.orderId} while nobody bought its listing`).toBeDefined();
      }
    } finally {
      await db.close();
    }
    const sold = listings.filter((l) => status[l.seat] === BOOKED).length;
    console.log(
      `resale crash: ${paidBefore} payments answered before the kill; ${sold}/${listings.length} listings sold after the restart`,
    );
    expect(sold).toBeGreaterThan(0);
  } finally {
    server.child.kill('SIGKILL');
  }
}

describe('crash safety: kill -9 while buyers race for resale listings and pay', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('on embedded PGlite, sells each listing once, to a buyer who paid, and reissues its ticket once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onsale-resale-crash-'));
    dirs.push(dir);
    cpSync(await pgliteTemplate(), dir, { recursive: true });
    await storm({ ...ENV, ONSALE_DATA_DIR: dir, DATABASE_URL: '' }, () => openDb({ dataDir: dir }));
  }, 180_000);

  it.skipIf(!pgUp)(
    'on the Postgres server, sells each listing once, to a buyer who paid, and reissues its ticket once',
    async () => {
      const schema = uniqueSchema('resale_crash');
      try {
        await storm({ ...ENV, DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: schema }, () =>
          openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }),
        );
      } finally {
        await dropSchema(schema);
      }
    },
    180_000,
  );
});
