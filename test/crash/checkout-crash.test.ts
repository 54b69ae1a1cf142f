import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOKED, HELD } from '../../src/domain/seat-status.ts';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import type { Res } from '../support/http.ts';
import { pgliteTemplate } from '../support/server.ts';
import { type ServerProcess, startServerProcess, waitReady } from '../support/server-process.ts';
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

// The real server as a child process, concurrent fans buying on a hot set of seats (hold →
// checkout with its Idempotency-Key → pay with the simulated provider), and SIGKILL at
// random moments. After every restart: each answer a fan got before the kill still holds, an
// order whose payment was confirmed ends paid (or refunded, whole) with one valid ticket per
// seat, no seat has two valid tickets, the seat map's booked seats are exactly the ticketed
// ones, and a checkout retried with its key answers the one order of that key. Then every
// unfinished purchase is finished (retried, released or paid), so each cycle starts clean.

const ADMIN = { email: 'crash-admin@example.com', password: 'admin-password-1' };
const EVENT = 'crash-show';
const HOT = 800;
const CLIENTS = 12;
const CYCLES = 3;
const FANS = 100;
/** A client takes the next fan after this many holds (the event allows 10 tickets a fan). */
const HOLDS_PER_FAN = 3;
/** The share of purchases whose hold is let go between checkout and payment (half of them re-bought first). */
const LAPSE_SHARE = 0.3;
const ENV = {
  ONSALE_DEMO: '0',
  ONSALE_ADMIN_EMAIL: ADMIN.email,
  ONSALE_ADMIN_PASSWORD: ADMIN.password,
  ONSALE_RATE_IP_PER_SEC: '100000',
  ONSALE_RATE_ACCOUNT_PER_SEC: '100000',
  // Every append waits this long first, so kills land while batches are in flight.
  ONSALE_FAULT_APPEND_DELAY_MS: '5',
};

const pgUp = await postgresAvailable();

interface OrderRec {
  orderId: string;
  fan: Fan;
  key: string;
  holdId: string;
  seats: string[];
  paymentId: string;
  total: number;
  /** null: no confirm sent; sent: sent, no answer; succeeded: answered 200 succeeded. */
  confirm: null | 'sent' | 'succeeded';
}

interface CheckoutRec {
  fan: Fan;
  key: string;
  holdId: string;
  seats: string[];
}

class Model {
  /** Holds answered 201, by id. */
  holds = new Map<string, { fan: Fan; seats: string[] }>();
  /** Orders answered (or found by retrying their key), by id. */
  orders = new Map<string, OrderRec>();
  /** Hold requests whose answer never came. */
  unsureHolds: { fan: Fan; seats: string[] }[] = [];
  /** Checkouts whose answer never came. */
  unsureCheckouts: CheckoutRec[] = [];
  /** Holds let go after their checkout: the release sent, or sent and answered. */
  releases = new Map<string, 'sent' | 'answered'>();
  /** Seats of orders paid: no client goes for them again. */
  sold = new Set<string>();
  /** Answers no correct server gives. */
  wrong: string[] = [];
  answered = 0;
}

/** The answer, or null when none came (the server died, or failed with a 5xx). */
async function attempt(f: () => Promise<Res>): Promise<Res | null> {
  try {
    const r = await f();
    return r.status >= 500 ? null : r;
  } catch {
    return null;
  }
}

async function client(
  shop: Shop,
  ev: ShopEvent,
  hot: string[],
  fans: { list: Fan[]; next: number },
  model: Model,
  c: number,
  cycle: number,
  stop: { now: boolean },
): Promise<void> {
  let fan = fans.list[fans.next++ % fans.list.length];
  let held = 0;
  for (let n = 0; !stop.now; n++) {
    if (held >= HOLDS_PER_FAN) {
      fan = fans.list[fans.next++ % fans.list.length];
      held = 0;
    }
    const free = hot.filter((s) => !model.sold.has(s));
    if (free.length === 0) return;
    const at = Math.floor(Math.random() * free.length);
    const seats = free.slice(at, at + 1 + Math.floor(Math.random() * 2));
    const order = await holdAndCheckout(shop, ev, fan, seats, `k${cycle}-${c}-${n}`, model);
    if (order === 'gone') return; // the server is gone
    if (order === 'limit') held = HOLDS_PER_FAN;
    if (typeof order === 'string') continue;
    held++;
    const roll = Math.random();
    if (roll < LAPSE_SHARE) {
      // The lapse: the hold goes before the payment, which comes late.
      model.releases.set(order.holdId, 'sent');
      const r = await attempt(() => shop.release(fan.token, order.holdId));
      if (r === null) return;
      if (r.status !== 200) model.wrong.push(`release ${order.holdId}: ${r.status} ${r.text}`);
      model.releases.set(order.holdId, 'answered');
      model.answered++;
      if (roll < LAPSE_SHARE / 2) {
        // The same fan takes the seats again and buys them in a second order first: the
        // first order's late payment then finds them gone.
        const again = await holdAndCheckout(shop, ev, fan, seats, `${order.key}-again`, model);
        if (again === 'gone') return;
        if (typeof again !== 'string') {
          held++;
          if ((await pay(shop, again, model)) === 'gone') return;
        }
      }
    }
    if ((await pay(shop, order, model)) === 'gone') return;
  }
}

/** Holds `seats` and checks them out: the order, or why not ('gone': the server went). */
async function holdAndCheckout(
  shop: Shop,
  ev: ShopEvent,
  fan: Fan,
  seats: string[],
  key: string,
  model: Model,
): Promise<'gone' | 'taken' | 'limit' | 'wrong' | OrderRec> {
  const h = await attempt(() => shop.hold(fan.token, ev.id, seats));
  if (h === null) {
    model.unsureHolds.push({ fan, seats });
    return 'gone';
  }
  if (h.status === 409 && h.body.error?.code === 'SEAT_UNAVAILABLE') return 'taken';
  if (h.status === 422 && h.body.error?.code === 'LIMIT_PER_FAN') return 'limit';
  if (h.status !== 201) {
    model.wrong.push(`hold ${seats}: ${h.status} ${h.text}`);
    return 'wrong';
  }
  model.answered++;
  const holdId = h.body.holdId as string;
  model.holds.set(holdId, { fan, seats });
  const co = await attempt(() => shop.checkout(fan.token, ev.id, [holdId], key));
  if (co === null) {
    model.unsureCheckouts.push({ fan, key, holdId, seats });
    return 'gone';
  }
  if (co.status !== 201 || !co.body.payment?.paymentId) {
    model.wrong.push(`checkout ${key}: ${co.status} ${co.text}`);
    return 'wrong';
  }
  model.answered++;
  const order: OrderRec = {
    fan,
    key,
    holdId,
    seats,
    orderId: co.body.order.id,
    paymentId: co.body.payment.paymentId,
    total: co.body.order.total,
    confirm: null,
  };
  model.orders.set(order.orderId, order);
  return order;
}

async function pay(shop: Shop, order: OrderRec, model: Model): Promise<'gone' | null> {
  order.confirm = 'sent';
  const paid = await attempt(() => shop.confirm(order.fan.token, order.paymentId));
  if (paid === null) return 'gone';
  if (paid.status !== 200 || paid.body.status !== 'succeeded') {
    model.wrong.push(`confirm ${order.orderId}: ${paid.status} ${paid.text}`);
    return null;
  }
  model.answered++;
  order.confirm = 'succeeded';
  if (!model.releases.has(order.holdId)) for (const s of order.seats) model.sold.add(s);
  return null;
}

const sorted = (xs: string[]) => [...xs].sort();
const done = (o: OrderSeen) => o.status === 'paid' || o.status === 'refunded';

/** After a restart: what was answered holds; then every unfinished purchase is finished, and checked. */
async function verify(shop: Shop, admin: string, ev: ShopEvent, model: Model): Promise<string> {
  expect(model.wrong, 'answers no correct server gives').toEqual([]);
  const orders = [...model.orders.values()];

  // Every order answered is there as it was told, and a retry of its checkout answers it.
  const seen = await inBatches(orders, 16, (o) => shop.order(o.fan.token, o.orderId));
  for (const [k, o] of orders.entries())
    expect([seen[k].id, seen[k].total, seen[k].payment.id], `order ${o.orderId}`).toEqual([
      o.orderId,
      o.total,
      o.paymentId,
    ]);
  const replays = await inBatches(orders, 16, (o) => shop.checkout(o.fan.token, ev.id, [o.holdId], o.key));
  for (const [k, o] of orders.entries())
    expect([replays[k].status, replays[k].body.order?.id, replays[k].body.payment?.paymentId], o.key).toEqual(
      [200, o.orderId, o.paymentId],
    );

  // A hold answered and not yet sent to payment is still there, on its seats.
  const liveHolds = new Map<string, { holdId: string; seats: string[] }[]>();
  const fans = [
    ...new Map([...model.holds.values(), ...model.unsureHolds].map((h) => [h.fan.id, h.fan])).values(),
  ];
  const listed = await inBatches(fans, 16, (f) => shop.holds(f.token));
  for (const [k, f] of fans.entries()) {
    expect(listed[k].status, listed[k].text).toBe(200);
    liveHolds.set(f.id, listed[k].body.holds);
  }
  const paying = new Set(orders.filter((o) => o.confirm !== null).map((o) => o.holdId));
  for (const [holdId, h] of model.holds) {
    const live = liveHolds.get(h.fan.id)!.find((x) => x.holdId === holdId);
    const release = model.releases.get(holdId);
    if (release === 'answered') expect(live, `released hold ${holdId} back`).toBeUndefined();
    if (paying.has(holdId) || release) continue;
    expect(live, `acknowledged hold ${holdId} lost`).toBeDefined();
    expect(sorted(live!.seats)).toEqual(sorted(h.seats));
  }

  // Confirmed payments end paid or refunded: the webhook, or the reconciler after it.
  const confirmed = orders.filter((o) => o.confirm === 'succeeded');
  try {
    await until(
      () => inBatches(confirmed, 16, (o) => shop.order(o.fan.token, o.orderId)),
      (os) => os.every(done),
      {
        timeoutMs: 15_000,
        intervalMs: 250,
        what: 'every confirmed order paid or refunded',
        describe: (os) =>
          os
            .filter((o) => !done(o))
            .map((o) => `${o.id} ${o.status} payment ${o.payment.status}`)
            .join(', '),
      },
    );
  } catch (e) {
    // Which side forgot: a confirm again says whether the provider still has the payment.
    const stuck = (await inBatches(confirmed, 16, (o) => shop.order(o.fan.token, o.orderId)))
      .map((o, k) => ({ o, rec: confirmed[k] }))
      .filter(({ o }) => !done(o))
      .slice(0, 5);
    const probes = await Promise.all(
      stuck.map(async ({ rec }) => {
        const r = await shop.confirm(rec.fan.token, rec.paymentId);
        return `${rec.orderId}: confirm again → ${r.status} ${r.text}`;
      }),
    );
    throw new Error(`${(e as Error).message}\n${probes.join('\n')}`);
  }

  // Checkouts never answered: retried with their key, twice, they answer one order.
  let retried = 0;
  const unsure = model.unsureCheckouts.length;
  for (const c of model.unsureCheckouts) {
    const first = await shop.checkout(c.fan.token, ev.id, [c.holdId], c.key);
    expect([200, 201], `retry of ${c.key}: ${first.text}`).toContain(first.status);
    const again = await shop.checkout(c.fan.token, ev.id, [c.holdId], c.key);
    expect([again.status, again.body.order.id, again.body.payment.paymentId]).toEqual([
      200,
      first.body.order.id,
      first.body.payment.paymentId,
    ]);
    if (first.status === 200) retried++;
    expect(model.orders.has(first.body.order.id)).toBe(false);
    model.orders.set(first.body.order.id, {
      ...c,
      orderId: first.body.order.id,
      paymentId: first.body.payment.paymentId,
      total: first.body.order.total,
      confirm: null,
    });
  }
  model.unsureCheckouts = [];

  // Holds never answered are there whole or not at all; those there are let go.
  const known = new Set(model.holds.keys());
  let stray = 0;
  let lateHolds = 0;
  for (const f of fans) {
    for (const live of liveHolds.get(f.id)!) {
      if (known.has(live.holdId)) continue;
      // A late payment's own hold on the order's seats, between its hold and its booking
      // at the kill: the reconciler books it (or lets it go and refunds) from here.
      const late = /~late-(ord_[A-Za-z0-9_-]+)-\d+$/.exec(live.holdId);
      if (late && model.orders.get(late[1])?.confirm) {
        const o = model.orders.get(late[1])!;
        expect(sorted(live.seats), live.holdId).toEqual(sorted(o.seats));
        lateHolds++;
        continue;
      }
      const asked = model.unsureHolds.filter((u) => u.fan.id === f.id);
      expect(
        asked.some((u) => sorted(u.seats).join() === sorted(live.seats).join()),
        `hold ${live.holdId} on ${live.seats} was never asked for`,
      ).toBe(true);
      const r = await shop.release(f.token, live.holdId);
      expect(r.status, r.text).toBe(200);
      stray++;
    }
  }
  model.unsureHolds = [];

  // Every order not answered paid is paid now: a confirm sent before the kill may have taken.
  let settledBefore = 0;
  for (const o of model.orders.values()) {
    if (o.confirm === 'succeeded') continue;
    const r = await shop.confirm(o.fan.token, o.paymentId);
    if (r.status === 409 && o.confirm === 'sent') {
      expect(r.body.error?.code, r.text).toBe('PAYMENT_SETTLED');
      settledBefore++;
    } else {
      expect([r.status, r.body.status], `confirm of ${o.orderId}: ${r.text}`).toEqual([200, 'succeeded']);
    }
    o.confirm = 'succeeded';
  }

  // Everything settles: every order paid (or refunded, whole), a ticket per seat bought.
  const all = [...model.orders.values()];
  const final = await until(
    () => inBatches(all, 16, (o) => shop.order(admin, o.orderId)),
    (os) => os.every(done),
    {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: 'every order paid or refunded',
      describe: (os) =>
        os
          .filter((o) => !done(o))
          .map((o) => `${o.id} ${o.status} payment ${o.payment.status}`)
          .join(', '),
    },
  );
  for (const [k, o] of all.entries()) {
    const got = final[k];
    const valid = got.tickets.filter((t) => t.status === 'valid').map((t) => t.item);
    if (got.status === 'paid') {
      expect([sorted(valid), got.refunded], `tickets of ${o.orderId}`).toEqual([sorted(o.seats), 0]);
      for (const s of o.seats) model.sold.add(s);
    } else expect([valid, got.refunded], `refund of ${o.orderId}`).toEqual([[], got.total]);
  }
  // A refunded order's money goes back, whole (the reconciler finishes a refund cut short).
  const refundedOrders = final.filter((o) => o.status === 'refunded');
  await until(
    () =>
      inBatches(refundedOrders, 16, async (o) => {
        const r = await shop.call('GET', `/api/orders/${o.id}/refunds`, { token: admin });
        expect(r.status, r.text).toBe(200);
        return { o, refunds: r.body.refunds as { status: string; amount: number }[] };
      }),
    (rs) =>
      rs.every(
        ({ o, refunds }) =>
          refunds.every((x) => x.status === 'succeeded') &&
          refunds.reduce((n, x) => n + x.amount, 0) === o.total,
      ),
    {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: 'every refund carried out, whole',
      describe: (rs) => JSON.stringify(rs.map(({ o, refunds }) => ({ id: o.id, total: o.total, refunds }))),
    },
  );
  const byItem = validByItem(final);
  const twice = [...byItem].filter(([, ids]) => ids.length > 1);
  expect(twice, 'seats with two valid tickets').toEqual([]);

  // The seat map books exactly the ticketed seats, and no hold is left.
  const status = await shop.seatStatuses(ev.id);
  const booked = [...status].flatMap((s, n) => (s === BOOKED ? [ev.layout.seatIds[n]] : []));
  expect(sorted(booked), 'booked seats are the ticketed seats').toEqual(sorted([...byItem.keys()]));
  expect(
    [...status].flatMap((s, n) => (s === HELD ? [ev.layout.seatIds[n]] : [])),
    'seats still held',
  ).toEqual([]);
  const report = await shop.sales(admin, ev.id);
  expect(report.tickets).toBe(byItem.size);

  const refunded = refundedOrders.length;
  return (
    `${all.length} orders (${refunded} refunded), ${byItem.size} seats sold; ` +
    `${unsure} checkouts retried (${retried} had been made before the kill), ` +
    `${settledBefore} payments had taken before it, ${stray} stray holds let go, ${lateHolds} late re-holds left to the reconciler`
  );
}

/** The databases' own books at the end: each order charged once, every charge an order paid or refunded. */
async function verifyBooks(db: Db, model: Model): Promise<void> {
  const { rows: orders } = await db.query<{
    id: string;
    status: string;
    total: number;
    refunded: number;
    payment_status: string | null;
  }>('SELECT id, status, total, refunded, payment_status FROM orders WHERE event_id = $1', [EVENT]);
  expect(sorted(orders.map((o) => o.id)), 'orders nobody was told of').toEqual(
    sorted([...model.orders.keys()]),
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  const { rows: payments } = await db.query<{
    id: string;
    order_id: string;
    status: string;
    refunded: number;
  }>('SELECT id, order_id, status, refunded FROM simulated_payments');
  const { rows: hooks } = await db.query<{ payload: string }>('SELECT payload FROM simulated_webhooks');
  const successes = new Map<string, number>();
  for (const h of hooks) {
    const e = JSON.parse(h.payload) as { type: string; data: { object: { id: string } } };
    if (e.type === 'payment_intent.succeeded')
      successes.set(e.data.object.id, (successes.get(e.data.object.id) ?? 0) + 1);
  }
  const perOrder = new Map<string, number>();
  for (const p of payments) perOrder.set(p.order_id, (perOrder.get(p.order_id) ?? 0) + 1);
  expect(
    [...perOrder].filter(([, n]) => n > 1),
    'orders with two intents',
  ).toEqual([]);
  for (const p of payments) {
    const o = byId.get(p.order_id);
    expect(o, `payment ${p.id} of no order`).toBeDefined();
    expect([p.status, successes.get(p.id)], `charges of ${p.order_id}`).toEqual(['succeeded', 1]);
    expect(['paid', 'refunded'], `${o!.id} charged`).toContain(o!.status);
    expect(p.refunded).toBe(o!.refunded);
    if (o!.status === 'refunded') expect(o!.refunded).toBe(o!.total);
  }
  expect(payments.length).toBe(model.orders.size);
}

async function checkoutStorm(env: Record<string, string>, openForCheck: () => Promise<Db>): Promise<void> {
  const model = new Model();
  let server: ServerProcess = await startServerProcess(env);
  await waitReady(server.url);
  let shop = new Shop(server.url);
  const admin = await shop.login(ADMIN.email, ADMIN.password);
  const [list, ev] = await Promise.all([shop.registerFans('crasher', FANS), shop.openEvent(admin, EVENT)]);
  const fans = { list, next: 0 };
  const hot = ordinarySeats(ev.layout, HOT);
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, (_, c) =>
      client(shop, ev, hot, fans, model, c, cycle, stop),
    );
    await new Promise((r) => setTimeout(r, 800 + Math.random() * 1500));
    server.child.kill('SIGKILL');
    await server.exited;
    stop.now = true;
    await Promise.all(clients);
    const at = {
      holds: model.unsureHolds.length,
      checkouts: model.unsureCheckouts.length,
      confirms: [...model.orders.values()].filter((o) => o.confirm === 'sent').length,
    };
    const killed = server;
    server = await startServerProcess(env);
    await waitReady(server.url);
    shop = new Shop(server.url);
    let summary: string;
    try {
      summary = await verify(shop, admin, ev, model);
    } catch (e) {
      // What the servers complained of, before and after the kill.
      const loud = (p: ServerProcess) => p.logs.filter((l) => !l.startsWith('{"level":30')).slice(-15);
      console.log(`cycle ${cycle} failed; the killed server said:\n${loud(killed).join('\n')}`);
      console.log(`the restarted one:\n${loud(server).join('\n')}`);
      server.child.kill('SIGKILL');
      throw e;
    }
    console.log(
      `cycle ${cycle}: ${model.answered} answers so far; unanswered at the kill: ${at.holds} holds, ` +
        `${at.checkouts} checkouts, ${at.confirms} confirms; after the restart: ${summary}`,
    );
  }
  expect(model.orders.size, 'the storm really stormed').toBeGreaterThan(30);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const db = await openForCheck();
  try {
    await verifyBooks(db, model);
  } finally {
    await db.close();
  }
}

describe('crash safety: kill -9 while fans hold, check out and pay', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('on embedded PGlite, keeps every answer, charges once and sells no seat twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onsale-checkout-crash-'));
    dirs.push(dir);
    cpSync(await pgliteTemplate(), dir, { recursive: true });
    await checkoutStorm({ ...ENV, ONSALE_DATA_DIR: dir, DATABASE_URL: '' }, () => openDb({ dataDir: dir }));
  }, 180_000);

  it.skipIf(!pgUp)(
    'on the Postgres server, keeps every answer, charges once and sells no seat twice',
    async () => {
      const schema = uniqueSchema('checkout_crash');
      try {
        await checkoutStorm({ ...ENV, DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: schema }, () =>
          openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }),
        );
      } finally {
        await dropSchema(schema);
      }
    },
    180_000,
  );
});
