// Checkouts end to end, onsale against the classic design, on Postgres and on PGlite, in one
// run: the ratio is taken on the same machine at the same time.
//
// onsale: the real server in its own process, on a database of its own (a new Postgres schema
// at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, or a new PGlite
// directory). An operator creates a venue (the generator's 81,450-seat stadium) and an event
// on sale with prices through the HTTP API; fans sign up. Each order: the fan holds 1–4
// seats (POST /api/holds), checks out (POST /api/checkout with an Idempotency-Key), pays
// with the simulated provider (POST /api/payments/simulated/:paymentId/confirm, which
// delivers the signed webhook before it answers), then reads the order (GET /api/orders/:id,
// backoff from 1 ms doubling up to `pollMaxMs`) until it is paid with one ticket per seat
// (tickets are written asynchronously from the journal; the order is paid once they all are).
// Latency: from the hold request to the order's paidAt as the server stamped it (same
// machine, same clock; the read that sees it comes up to one backoff step later, shown
// apart), or to the read when there is no usable stamp. Throughput: measured orders over the
// window from the first one's hold to the last one's paidAt.
// Every order takes a group of seats of its own (bench/load/seats.ts): fans never collide.
// A fan owns at most 10 tickets (the event's per-fan limit), so each has a few orders.
//
// classic (the seed's design, pretix's): the same orders in the bench's own process against
// the same database server, in a schema of its own, one row per seat of the same chart; each
// order is one transaction (SELECT … FOR UPDATE, check, UPDATE, INSERT order, lines, tickets,
// COMMIT: bench/lib/classic-checkout.ts) on a pg Pool as large as the concurrency, or on
// PGlite's one connection. A seat taken counts as refused.
//
// http-floor: on the same onsale server, right after its run, the same number of "orders"
// that are only the four requests an order takes at the least (hold, checkout, confirm, one
// read), each a GET /healthz (uWS answers it without the router, the database or the actor):
// what HTTP on this machine allows at most, whatever the server does behind the requests.
//
// `warmup` orders go first in each run and are not measured. A run fails unless 99 % of its
// orders were paid (onsale) or committed (classic), the database holds them, and no seat has
// two tickets. Postgres is skipped with a notice when unreachable.
//
//   npm run bench -- checkout [orders] [concurrency]
//                                        2,000 orders on Postgres (500 on PGlite), 64 in flight
//   npm run bench -- checkout quick      200 orders (100 on PGlite), 64 warm-up
//   options (key=value, after the numbers or `quick`): adapters=postgres,pglite
//     designs=onsale,classic,http-floor orders=2000 pgliteOrders=500 concurrency=64 warmup=200
//     pollSeconds=30 pollMaxMs=100
import { Agent } from 'node:http';
import { compileChart } from '../../src/domain/chart.ts';
import { defaultPrices, generateChart } from '../../src/domain/chart-generator.ts';
import type { Db } from '../../src/persistence/db.ts';
import { check, commonest, expectCount } from '../lib/checks.ts';
import {
  type ClassicOrder,
  classicCheckout,
  classicTally,
  createClassic,
  SeatConflict,
} from '../lib/classic-checkout.ts';
import { httpRequest } from '../lib/http.ts';
import { parseOptions } from '../lib/options.ts';
import { inParallel } from '../lib/parallel.ts';
import { DATABASE_URL, type DbKind, dropOrWarn, postgresUnreachable, scratchDb } from '../lib/scratch-db.ts';
import { Latencies, printJson, printTable, round } from '../lib/stats.ts';
import { seatGroups } from '../load/seats.ts';
import { launchServer, nowMs, type ServerProcess, sleep } from '../load/server.ts';

/** Share of a run's orders that must be paid (onsale) or committed (classic). */
const MIN_SHARE = 0.99;
const TARGETS = { onsalePostgresPerSec: 2000, ratio: 10 };

const VENUE_ID = 'bench-stadium';
const EVENT_ID = 'bench-checkout';
const ADMIN = { email: 'bench-admin@example.com', password: 'bench admin password' };
/** The event's per-fan limit (src/domain/state.ts maxPerFan): tickets a fan may hold and own. */
const PER_FAN = 10;
const CARD = '4242424242424242';

const DEFAULTS = {
  adapters: ['postgres', 'pglite'],
  designs: ['onsale', 'classic', 'http-floor'],
  orders: 2000,
  pgliteOrders: 500,
  concurrency: 64,
  warmup: 200,
  /** How long an order may take to be seen paid before it counts as failed. */
  pollSeconds: 30,
  /**
   * The longest pause between two reads of an unpaid order (the backoff starts at 1 ms and
   * doubles). The latency ends at the server's paidAt, not at the read; but each read is work
   * for the server, and a fan waiting for its read is not buying.
   */
  pollMaxMs: 100,
};
type Options = typeof DEFAULTS;

function options(args: string[]): Options {
  const quick = args.includes('quick');
  const base = quick ? { ...DEFAULTS, orders: 200, pgliteOrders: 100, warmup: 64 } : DEFAULTS;
  // Positional, as for `actor` and `baselines`: [orders] [concurrency]; then key=value words.
  const positional = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const o = parseOptions(
    args.filter((a) => a !== 'quick' && !/^\d+$/.test(a)),
    base,
  );
  if (positional[0] !== undefined) o.orders = positional[0];
  if (positional[1] !== undefined) o.concurrency = positional[1];
  if (positional.length > 2) throw new Error('checkout: at most two numbers: [orders] [concurrency]');
  check(
    o.orders >= 1 && o.pgliteOrders >= 1 && o.concurrency >= 1,
    'checkout: orders and concurrency must be at least 1',
  );
  return o;
}

// ---------------------------------------------------------------------------------------
// The workload, the same for both designs: seat groups (public ids), their prices, the fans.

const chart = generateChart('stadium', VENUE_ID);
const layout = compileChart(chart);
const prices = defaultPrices(chart);
const categoryIds = chart.categories.map((c) => c.id);

interface Plan {
  /** Orders 0..warmup-1 warm up; the rest are measured. */
  warmup: number;
  seats: string[][];
  prices: number[][];
  fanOf: number[];
  fans: number;
}

function plan(warmup: number, orders: number): Plan {
  const total = warmup + orders;
  const groups = seatGroups(layout, 0xc0ffee).slice(0, total);
  if (groups.length < total) throw new Error(`checkout: ${total} orders need more seats than the chart has`);
  // Consecutive orders go to different fans (a fan's orders are rarely in flight together);
  // a fan whose next order would pass the per-fan limit hands it to a new fan.
  const pool = Math.max(1, Math.ceil(total / 3));
  const owned: number[] = Array.from({ length: pool }, () => 0);
  const fanOf = groups.map((g, i) => {
    let f = i % pool;
    if (owned[f] + g.length > PER_FAN) {
      f = owned.length;
      owned.push(0);
    }
    owned[f] += g.length;
    return f;
  });
  return {
    warmup,
    seats: groups.map((g) => g.map((s) => layout.seatIds[s])),
    prices: groups.map((g) => g.map((s) => prices[categoryIds[layout.seatCategory[s]]])),
    fanOf,
    fans: owned.length,
  };
}

type Design = 'onsale' | 'classic' | 'http-floor';
const DESIGNS: readonly Design[] = ['onsale', 'classic', 'http-floor'];
/** Requests an order takes at the least: hold, checkout, confirm, one read. */
const REQUESTS_PER_ORDER = 4;

interface Run {
  adapter: DbKind;
  design: Design;
  orders: number;
  /** Paid (onsale) or committed (classic) among the measured orders. */
  done: number;
  refused: number;
  failed: number;
  ordersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  tickets: number;
  errors: Record<string, number>;
  /** onsale: p50/p99 of each request and of the wait from paying to the order seen paid. */
  steps?: ReturnType<Steps['summary']>;
}

/**
 * An order done, and when: onsale gives the server's stamp of the moment the order became
 * paid (`paidAt`, same machine, same clock); without one, the moment it was seen done here.
 */
interface Done {
  doneAtMs?: number;
}
type Outcome = Done | 'refused' | string;

/**
 * Runs the warm-up orders, then the measured ones, and sums up the measured: latency from an
 * order's first request to its done time, throughput over the window from the first measured
 * order's start to the last one's done time.
 */
async function drive(
  p: Plan,
  concurrency: number,
  what: string,
  order: (i: number) => Promise<Outcome>,
): Promise<{
  done: number;
  refused: number;
  failed: number;
  seconds: number;
  lat: Latencies;
  errors: Record<string, number>;
}> {
  const errors: Record<string, number> = {};
  let done = 0;
  let refused = 0;
  let failed = 0;
  let measuring = false;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const lat = new Latencies(what);
  const one = async (i: number) => {
    const t0 = nowMs();
    let out: Outcome;
    try {
      out = await order(i);
    } catch (e) {
      out = (e as Error).message.slice(0, 120);
    }
    if (!measuring) return;
    first = Math.min(first, t0);
    if (typeof out === 'object') {
      const at = out.doneAtMs ?? nowMs();
      done++;
      lat.record(at - t0);
      last = Math.max(last, at);
    } else if (out === 'refused') refused++;
    else {
      failed++;
      errors[out] = (errors[out] ?? 0) + 1;
    }
  };
  await inParallel(p.warmup, concurrency, one);
  measuring = true;
  const n = p.seats.length - p.warmup;
  await inParallel(n, concurrency, (k) => one(p.warmup + k));
  return { done, refused, failed, seconds: done > 0 ? (last - first) / 1000 : Number.NaN, lat, errors };
}

// ---------------------------------------------------------------------------------------
// onsale: the real server over HTTP.

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: reply bodies are read field by field
  body: any;
}

class Client {
  readonly agent: Agent;
  constructor(
    private readonly url: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  async call(
    method: string,
    path: string,
    token?: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (json !== undefined) h['content-type'] = 'application/json';
    if (token) h.authorization = `Bearer ${token}`;
    const r = await httpRequest(
      this.agent,
      `${this.url}${path}`,
      method,
      h,
      json === undefined ? undefined : JSON.stringify(json),
    );
    let body: unknown;
    try {
      body = r.text ? JSON.parse(r.text) : undefined;
    } catch {}
    return { ...r, body };
  }
}

/** "checkout 404 NOT_FOUND": which step answered what, for the error tallies. */
function why(step: string, r: Reply): string {
  return `${step} ${r.status} ${r.body?.error?.code ?? r.text.slice(0, 60)}`;
}

async function setUpEvent(c: Client, admin: string): Promise<void> {
  const venue = await c.call('POST', '/api/venues', admin, {
    id: VENUE_ID,
    name: 'Bench Stadium',
    city: 'Berlin',
    chartTemplate: 'stadium',
  });
  check(venue.status === 201, `checkout: creating the venue: ${why('POST /api/venues', venue)}`);
  const event = await c.call('POST', '/api/events', admin, {
    id: EVENT_ID,
    name: 'Bench Checkout Night',
    category: 'concert',
    venueId: VENUE_ID,
    startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    status: 'on_sale',
    priceTiers: prices,
  });
  check(event.status === 201, `checkout: creating the event: ${why('POST /api/events', event)}`);
  // The event's actor starts on first use; wait until its sale is open.
  const until = Date.now() + 30_000;
  for (;;) {
    await c.call('GET', `/api/events/${EVENT_ID}/seats`);
    const e = await c.call('GET', `/api/events/${EVENT_ID}`);
    if (e.status === 200 && e.body?.sale === 'open') return;
    check(
      Date.now() < until,
      `checkout: the event's sale did not open (GET /api/events/${EVENT_ID}: ${e.text.slice(0, 200)})`,
    );
    await sleep(100);
  }
}

async function signUp(c: Client, n: number): Promise<string[]> {
  const tokens = new Array<string>(n);
  // Passwords are hashed with scrypt on libuv's 4 threads: more in flight only queues.
  await inParallel(n, 4, async (i) => {
    const r = await c.call('POST', '/api/accounts/register', undefined, {
      email: `checkout-fan-${i}@example.com`,
      password: 'bench fan password',
    });
    check(
      r.status === 201 && typeof r.body?.token === 'string',
      `checkout: signing fan ${i} up: ${why('register', r)}`,
    );
    tokens[i] = r.body.token;
  });
  return tokens;
}

/** Where an onsale order's time goes, over the measured orders: each request, and the wait after paying. */
class Steps {
  hold = new Latencies('hold step');
  checkout = new Latencies('checkout step');
  confirm = new Latencies('confirm step');
  /** From the confirm's answer to the order paid (the server's paidAt). */
  settle = new Latencies('settle step');
  /** From paidAt to the order seen paid with its tickets here (the poll's backoff). */
  detect = new Latencies('detect step');
  polls = 0;
  /** Orders without a usable paidAt: timed to when they were seen paid instead. */
  unstamped = 0;

  summary() {
    const of = (l: Latencies) => ({ p50Ms: round(l.percentile(50), 1), p99Ms: round(l.percentile(99), 1) });
    return {
      hold: of(this.hold),
      checkout: of(this.checkout),
      confirm: of(this.confirm),
      settle: of(this.settle),
      detect: of(this.detect),
      unstamped: this.unstamped,
      pollsPerOrder: round(this.polls / Math.max(1, this.settle.count), 2),
    };
  }
}

/** One order through the server: hold, checkout, pay, read until paid with its tickets. */
async function onsaleOrder(
  c: Client,
  p: Plan,
  tokens: string[],
  i: number,
  o: Options,
  steps: Steps | null,
): Promise<Outcome> {
  const token = tokens[p.fanOf[i]];
  const seats = p.seats[i];
  const t0 = nowMs();
  const hold = await c.call('POST', '/api/holds', token, { eventId: EVENT_ID, seats });
  if (hold.status !== 201)
    return hold.body?.error?.code === 'SEAT_UNAVAILABLE' ? 'refused' : why('hold', hold);
  const t1 = nowMs();
  const co = await c.call(
    'POST',
    '/api/checkout',
    token,
    { eventId: EVENT_ID, holdIds: [hold.body.holdId] },
    { 'idempotency-key': `bench-checkout-${i}` },
  );
  if (co.status !== 201) return why('checkout', co);
  const orderId: string | undefined = co.body?.order?.id;
  const paymentId: string | undefined = co.body?.payment?.paymentId;
  if (!orderId || !paymentId) return 'checkout 201 without order.id or payment.paymentId';
  const t2 = nowMs();
  const pay = await c.call(
    'POST',
    `/api/payments/simulated/${encodeURIComponent(paymentId)}/confirm`,
    token,
    {
      card: CARD,
    },
  );
  if (pay.status < 200 || pay.status > 299) return why('confirm', pay);
  if (pay.body?.status !== undefined && pay.body.status !== 'succeeded')
    return `confirm ${pay.body.status} ${pay.body.error ?? ''}`.trim();
  const t3 = nowMs();
  const until = t3 + o.pollSeconds * 1000;
  for (let wait = 1, polls = 1; ; wait = Math.min(wait * 2, o.pollMaxMs), polls++) {
    const r = await c.call('GET', `/api/orders/${encodeURIComponent(orderId)}`, token);
    if (r.status !== 200) return why('GET order', r);
    const order = r.body?.order;
    if (order?.status === 'paid' && Array.isArray(order.tickets) && order.tickets.length === seats.length) {
      const seen = nowMs();
      // The server's stamp, when it is one and lies in the order's life here (a clock of
      // another machine may not): the poll's backoff then adds nothing to the latency.
      const stamp = typeof order.paidAt === 'string' ? Date.parse(order.paidAt) : Number.NaN;
      const stamped = stamp >= t0 - 1 && stamp <= seen + 1;
      const doneAtMs = stamped ? Math.min(Math.max(stamp, t3), seen) : seen;
      if (steps) {
        steps.hold.record(t1 - t0);
        steps.checkout.record(t2 - t1);
        steps.confirm.record(t3 - t2);
        steps.settle.record(doneAtMs - t3);
        steps.detect.record(seen - doneAtMs);
        steps.polls += polls;
        if (!stamped) steps.unstamped++;
      }
      return { doneAtMs };
    }
    if (order?.status !== 'paid' && order?.status !== 'pending_payment') return `order ${order?.status}`;
    if (nowMs() > until)
      return `not paid with ${seats.length} tickets within ${o.pollSeconds} s (${order?.status}, ${order?.tickets?.length ?? 0} tickets)`;
    await sleep(wait);
  }
}

/** What the server's database says after the run: paid orders, valid tickets, seats with two. */
async function onsaleTally(db: Db): Promise<{ paid: number; tickets: number; seatsSoldTwice: number }> {
  const n = async (sql: string) => Number((await db.query<{ n: number }>(sql, [EVENT_ID])).rows[0]?.n ?? 0);
  return {
    paid: await n("SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status = 'paid'"),
    tickets: await n("SELECT count(*)::int AS n FROM tickets WHERE event_id = $1 AND status = 'valid'"),
    seatsSoldTwice: await n(
      `SELECT count(*)::int AS n FROM (SELECT item FROM tickets WHERE event_id = $1 AND status = 'valid'
       GROUP BY item, place HAVING count(*) > 1) x`,
    ),
  };
}

/** Opens a database the bench made, without migrations (it is already the server's, or new). */
async function openRaw(
  kind: DbKind,
  scratch: { schema: string | null; dataDir: string },
  max: number,
): Promise<Db> {
  return kind === 'postgres'
    ? (await import('../../src/persistence/pg-db.ts')).openPgDb(DATABASE_URL, scratch.schema!, max)
    : (await import('../../src/persistence/pglite-db.ts')).openPgliteDb(scratch.dataDir);
}

/** The onsale run, and the HTTP floor measured on its server when asked for. */
async function runOnsale(adapter: DbKind, p: Plan, o: Options): Promise<Run[]> {
  const scratch = await scratchDb(adapter, 'bench_checkout');
  let server: ServerProcess | null = null;
  let client: Client | null = null;
  try {
    server = await launchServer({
      ...scratch.env,
      ONSALE_DEMO: '0',
      ONSALE_ADMIN_EMAIL: ADMIN.email,
      ONSALE_ADMIN_PASSWORD: ADMIN.password,
      // Write limits are a policy (per address, per account), not a capacity.
      ONSALE_RATE_IP_PER_SEC: '1000000000',
      ONSALE_RATE_ACCOUNT_PER_SEC: '1000000000',
    });
    client = new Client(server.url, o.concurrency);
    const login = await client.call('POST', '/api/accounts/login', undefined, ADMIN);
    check(login.status === 200, `checkout: admin login: ${why('login', login)}`);
    await setUpEvent(client, login.body.token);
    const t = performance.now();
    const tokens = await signUp(client, p.fans);
    console.error(
      `checkout: ${adapter}: ${p.fans} fans signed up in ${round((performance.now() - t) / 1000, 1)} s`,
    );
    const c = client;
    const steps = new Steps();
    const r = await drive(p, o.concurrency, `checkout latency (${adapter}, onsale)`, (i) =>
      onsaleOrder(c, p, tokens, i, o, i >= p.warmup ? steps : null),
    );
    const measured = p.seats.length - p.warmup;
    // The floor, on the same server while it is still up: nothing but the requests.
    let floor: Run | null = null;
    if (o.designs.includes('http-floor')) {
      const f = await drive(p, o.concurrency, `http floor (${adapter})`, async () => {
        for (let k = 0; k < REQUESTS_PER_ORDER; k++) {
          const h = await c.call('GET', '/healthz');
          if (h.status !== 200) return why('GET /healthz', h);
        }
        return {};
      });
      floor = result(adapter, 'http-floor', measured, f, 0);
    }
    expectCount('checkout', `orders were paid (${adapter}, onsale)`, r.done, measured, {
      minShare: MIN_SHARE,
      commonError: commonest(r.errors),
    });
    // LOG_LEVEL=warn: what the server complained of during the run explains slow or failed orders.
    const complaints = server.logs.filter((l) => l.trim() !== '');
    if (complaints.length > 0)
      console.error(
        `checkout: ${adapter}: the server logged ${complaints.length} lines (warn or worse), the last:\n` +
          complaints.slice(-3).join('\n').slice(0, 2000),
      );
    const exit = await server.stop(30_000);
    if (exit.killed)
      console.error(`checkout: ${adapter}: the server did not stop within 30 s and was killed`);
    server = null;
    const db = await openRaw(adapter, scratch, 1);
    const tally = await onsaleTally(db).finally(() => db.close());
    // The database has every order seen paid (warm-up ones too) and a ticket per seat of them.
    expectCount(
      'checkout',
      `orders seen paid are paid in the database (${adapter}, onsale)`,
      tally.paid,
      r.done,
    );
    check(
      tally.seatsSoldTwice === 0,
      `checkout: ${adapter}, onsale: ${tally.seatsSoldTwice} seats have more than one valid ticket`,
    );
    return [
      { ...result(adapter, 'onsale', measured, r, tally.tickets), steps: steps.summary() },
      ...(floor ? [floor] : []),
    ];
  } finally {
    client?.agent.destroy();
    await server?.stop(5000);
    await dropOrWarn(scratch);
  }
}

// ---------------------------------------------------------------------------------------
// classic: one transaction per order, in this process.

async function runClassic(adapter: DbKind, p: Plan, o: Options): Promise<Run> {
  const scratch = await scratchDb(adapter, 'bench_classic');
  let db: Db | null = null;
  try {
    db = await openRaw(adapter, scratch, o.concurrency);
    await createClassic(db, EVENT_ID, Array.from(layout.seatIds));
    const d = db;
    const r = await drive(p, o.concurrency, `checkout latency (${adapter}, classic)`, async (i) => {
      const order: ClassicOrder = {
        id: `o${i}`,
        fan: `fan${p.fanOf[i]}`,
        seats: p.seats[i],
        prices: p.prices[i],
      };
      try {
        await classicCheckout(d, EVENT_ID, order);
        return {};
      } catch (e) {
        if (e instanceof SeatConflict) return 'refused';
        throw e;
      }
    });
    const measured = p.seats.length - p.warmup;
    expectCount('checkout', `orders were committed (${adapter}, classic)`, r.done, measured, {
      minShare: MIN_SHARE,
      commonError: commonest(r.errors),
    });
    const tally = await classicTally(db);
    expectCount(
      'checkout',
      `orders committed are in the database (${adapter}, classic)`,
      tally.orders,
      r.done,
    );
    check(
      tally.seatsSoldTwice === 0,
      `checkout: ${adapter}, classic: ${tally.seatsSoldTwice} seats have more than one ticket`,
    );
    return result(adapter, 'classic', measured, r, tally.tickets);
  } finally {
    await db?.close().catch(() => {});
    await dropOrWarn(scratch);
  }
}

function result(
  adapter: DbKind,
  design: Design,
  orders: number,
  r: Awaited<ReturnType<typeof drive>>,
  tickets: number,
): Run {
  return {
    adapter,
    design,
    orders,
    done: r.done,
    refused: r.refused,
    failed: r.failed,
    ordersPerSec: round(r.done / r.seconds),
    p50Ms: round(r.lat.percentile(50), 1),
    p99Ms: round(r.lat.percentile(99), 1),
    seconds: round(r.seconds, 2),
    tickets,
    errors: r.errors,
  };
}

// ---------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<void> {
  const o = options(args);
  for (const a of o.adapters)
    if (a !== 'postgres' && a !== 'pglite')
      throw new Error(`checkout: unknown adapter "${a}" (postgres, pglite)`);
  for (const d of o.designs)
    if (!DESIGNS.includes(d as Design))
      throw new Error(`checkout: unknown design "${d}" (${DESIGNS.join(', ')})`);
  check(
    !o.designs.includes('http-floor') || o.designs.includes('onsale'),
    "checkout: http-floor is measured on the onsale run's server: ask for onsale too",
  );
  const runs: Run[] = [];
  const skipped: string[] = [];
  for (const adapter of o.adapters as DbKind[]) {
    if (adapter === 'postgres') {
      const unreachable = await postgresUnreachable();
      if (unreachable) {
        console.error(`checkout: Postgres at ${DATABASE_URL} is unreachable (${unreachable}); skipping it`);
        skipped.push(adapter);
        continue;
      }
    }
    const p = plan(o.warmup, adapter === 'pglite' ? o.pgliteOrders : o.orders);
    // The classic run first: it needs no set-up, and the server's start-up is then not beside it.
    if (o.designs.includes('classic')) runs.push(await runClassic(adapter, p, o));
    if (o.designs.includes('onsale')) runs.push(...(await runOnsale(adapter, p, o)));
  }
  check(
    runs.length > 0,
    `checkout: nothing ran (asked for ${o.adapters.join(', ')}; skipped ${skipped.join(', ')})`,
  );

  const ratio = (adapter: DbKind, design: Design = 'onsale') => {
    const on = runs.find((r) => r.adapter === adapter && r.design === design);
    const cl = runs.find((r) => r.adapter === adapter && r.design === 'classic');
    return on && cl ? round(on.ordersPerSec / cl.ordersPerSec, 2) : null;
  };
  const ratios = { postgres: ratio('postgres'), pglite: ratio('pglite') };
  printTable(
    `checkout on ${layout.seatCount} seats, ${o.concurrency} orders in flight, 1–4 seats each, after ${o.warmup} warm-up orders; ` +
      'onsale: hold -> checkout -> simulated payment -> order paid with its tickets (paidAt as the server stamped it; HTTP, server in its own process); ' +
      'classic: one transaction per order (SELECT … FOR UPDATE, UPDATE, INSERT order, lines, tickets); ' +
      `http-floor: ${REQUESTS_PER_ORDER} GET /healthz per order on the onsale server (the most HTTP allows here)`,
    runs.map((r) => {
      const target = r.adapter === 'postgres' && r.design === 'onsale' ? TARGETS.onsalePostgresPerSec : null;
      const x = r.design === 'classic' ? null : ratio(r.adapter, r.design);
      const errors = Object.entries(r.errors)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      return {
        database: r.adapter,
        design: r.design,
        orders: r.orders,
        'paid/committed': r.done,
        refused: r.refused,
        failed: r.failed,
        'orders/s': r.ordersPerSec,
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        seconds: r.seconds,
        target: target === null ? '' : `>= ${target.toLocaleString('en')}/s`,
        met: target === null ? '' : r.ordersPerSec >= target ? 'yes' : 'NO',
        'onsale/classic': x === null ? '' : `${x}x`,
        'ratio met': x === null ? '' : x >= TARGETS.ratio ? 'yes' : 'NO',
        errors: errors || '-',
      };
    }),
  );
  const stepRows = runs.flatMap((r) =>
    r.steps
      ? [
          {
            database: r.adapter,
            'hold p50/p99 ms': `${r.steps.hold.p50Ms} / ${r.steps.hold.p99Ms}`,
            'checkout p50/p99 ms': `${r.steps.checkout.p50Ms} / ${r.steps.checkout.p99Ms}`,
            'confirm p50/p99 ms': `${r.steps.confirm.p50Ms} / ${r.steps.confirm.p99Ms}`,
            'confirmed -> paid p50/p99 ms': `${r.steps.settle.p50Ms} / ${r.steps.settle.p99Ms}`,
            'paid -> seen p50/p99 ms': `${r.steps.detect.p50Ms} / ${r.steps.detect.p99Ms}`,
            'GETs per order': r.steps.pollsPerOrder,
            'no paidAt': r.steps.unstamped,
          },
        ]
      : [],
  );
  if (stepRows.length > 0) printTable("onsale: where an order's time goes (measured orders)", stepRows);
  for (const s of skipped) console.log(`\n${s}: skipped (unreachable)`);
  printJson({
    bench: 'checkout',
    seats: layout.seatCount,
    concurrency: o.concurrency,
    warmup: o.warmup,
    skipped,
    runs: runs.map((r) => ({
      adapter: r.adapter,
      design: r.design,
      ordersPerSec: r.ordersPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      orders: r.orders,
      done: r.done,
      refused: r.refused,
      failed: r.failed,
      tickets: r.tickets,
      seconds: r.seconds,
      ...(r.steps ? { steps: r.steps } : {}),
    })),
    ratioPostgres: ratios.postgres,
    ratioPglite: ratios.pglite,
    /** The HTTP floor over the classic design: what any design over HTTP could reach at most. */
    floorRatioPostgres: ratio('postgres', 'http-floor'),
    floorRatioPglite: ratio('pglite', 'http-floor'),
    targets: TARGETS,
  });
}
