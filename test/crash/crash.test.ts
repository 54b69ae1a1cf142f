import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../src/demo.ts';
import { compileChart } from '../../src/domain/chart.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import { BOOKED, HELD } from '../../src/domain/seat-status.ts';
import type { Db } from '../../src/persistence/db.ts';
import { decodeEntries } from '../../src/persistence/journal.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { type ServerProcess, startServerProcess, waitReady } from '../support/server-process.ts';
import {
  dropSchema,
  POSTGRES_URL,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  uniqueSchema,
} from '../support/services.ts';

// The real server as a child process, a storm of holds, bookings and releases from
// concurrent clients, and SIGKILL at random moments. After every restart: everything
// acknowledged is there, no seat is sold twice, and every unacknowledged command is either
// wholly applied or wholly absent.

const layout = compileChart(generateChart('stadium', DEMO_EVENT_ID));
const HOT = 600; // clients fight over the seats nearest the start of the chart
const CLIENTS = 24;
const CYCLES = 3;
// Every append waits this long first, so kills land while batches are in flight.
const FAULTS = { ONSALE_INTERNAL_API: '1', ONSALE_FAULT_APPEND_DELAY_MS: '15' };

interface StateView {
  version: number;
  status: number[];
  holds: { holdId: string; fanId: string; seats: number[] }[];
  orders: { orderId: string; fanId: string; seats: number[] }[];
}

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: { code: string } };

class Model {
  /** Holds acknowledged and not (acknowledged as) released or booked since. */
  holds = new Map<string, { seats: number[]; fanId: string }>();
  orders = new Map<string, number[]>();
  /** Hold requests whose answer never came. */
  unsureHolds = new Map<string, { seats: number[]; fanId: string }>();
  /** Hold ids with a release or booking whose answer never came. */
  unsureFollowUps = new Map<string, 'release' | 'book'>();
  acked = 0;
}

async function send(url: string, command: unknown, key: string): Promise<Outcome | null> {
  try {
    const r = await fetch(`${url}/internal/events/${DEMO_EVENT_ID}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ commands: [{ command, key }] }),
    });
    if (!r.ok) return null;
    const out = ((await r.json()) as { outcomes: Outcome[] }).outcomes[0];
    return !out.ok && out.error.code === 'UNAVAILABLE' ? null : out;
  } catch {
    return null; // connection refused or reset: the server died under us
  }
}

function pickSeats(): number[] {
  for (;;) {
    const n = 1 + Math.floor(Math.random() * 4);
    const first = Math.floor(Math.random() * (HOT - n));
    const seats = Array.from({ length: n }, (_, i) => first + i);
    if (seats.every((s) => layout.seatFlags[s] === 0)) return seats;
  }
}

async function client(
  url: string,
  model: Model,
  c: number,
  cycle: number,
  stop: { now: boolean },
): Promise<void> {
  for (let n = 0; !stop.now; n++) {
    const holdId = `h${cycle}-${c}-${n}`;
    const fanId = `fan-${holdId}`;
    const seats = pickSeats();
    const held = await send(url, { type: 'hold', holdId, fanId, seats }, holdId);
    if (held === null) {
      model.unsureHolds.set(holdId, { seats, fanId });
      continue;
    }
    if (!held.ok) continue;
    model.acked++;
    model.holds.set(holdId, { seats, fanId });
    const roll = Math.random();
    if (roll < 0.5) {
      const orderId = `o-${holdId}`;
      const booked = await send(url, { type: 'book', holdId, fanId, orderId }, orderId);
      if (booked === null) model.unsureFollowUps.set(holdId, 'book');
      else if (booked.ok) {
        model.acked++;
        model.holds.delete(holdId);
        model.orders.set(orderId, seats);
      }
    } else if (roll < 0.8) {
      const released = await send(url, { type: 'release', holdId, fanId }, `r-${holdId}`);
      if (released === null) model.unsureFollowUps.set(holdId, 'release');
      else if (released.ok) {
        model.acked++;
        model.holds.delete(holdId);
      }
    }
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Checks the recovered state against what clients were told, then settles the unsure. */
function verify(state: StateView, model: Model): void {
  const holds = new Map(state.holds.map((h) => [h.holdId, h]));
  const orders = new Map(state.orders.map((o) => [o.orderId, o]));

  // No seat held or booked twice, and the status array agrees with holds and orders.
  const owner = new Map<number, string>();
  for (const x of [
    ...state.holds.map((h) => ({ id: h.holdId, seats: h.seats })),
    ...state.orders.map((o) => ({ id: o.orderId, seats: o.seats })),
  ]) {
    for (const s of x.seats) {
      expect(owner.get(s), `seat ${s} claimed by ${owner.get(s)} and ${x.id}`).toBeUndefined();
      owner.set(s, x.id);
    }
  }
  for (const h of state.holds) for (const s of h.seats) expect(state.status[s]).toBe(HELD);
  for (const o of state.orders) for (const s of o.seats) expect(state.status[s]).toBe(BOOKED);
  expect(state.status.filter((s) => s === HELD).length).toBe(
    state.holds.reduce((n, h) => n + h.seats.length, 0),
  );
  expect(state.status.filter((s) => s === BOOKED).length).toBe(
    state.orders.reduce((n, o) => n + o.seats.length, 0),
  );

  // Every acknowledged booking is there, whole.
  for (const [orderId, seats] of model.orders) {
    expect(orders.get(orderId), `acknowledged order ${orderId} lost`).toBeDefined();
    expect(sorted(orders.get(orderId)!.seats)).toEqual(sorted(seats));
  }
  // Every acknowledged hold is there (holds last 10 minutes, longer than this test),
  // unless a release or booking of it was in flight: then either outcome is whole.
  for (const [holdId, h] of [...model.holds]) {
    const follow = model.unsureFollowUps.get(holdId);
    const live = holds.get(holdId);
    const order = orders.get(`o-${holdId}`);
    if (!follow) {
      expect(live, `acknowledged hold ${holdId} lost`).toBeDefined();
      expect(sorted(live!.seats)).toEqual(sorted(h.seats));
      continue;
    }
    if (live) expect(sorted(live.seats)).toEqual(sorted(h.seats));
    if (order) expect(sorted(order.seats)).toEqual(sorted(h.seats));
    expect(live && order, `hold ${holdId} both held and booked`).toBeFalsy();
    if (follow === 'release') expect(order).toBeUndefined();
    if (!live) model.holds.delete(holdId);
    if (order) model.orders.set(order.orderId, h.seats);
  }
  model.unsureFollowUps.clear();
  // A hold whose answer never came is wholly there or wholly absent.
  for (const [holdId, h] of model.unsureHolds) {
    const live = holds.get(holdId);
    if (live) {
      expect(sorted(live.seats)).toEqual(sorted(h.seats));
      model.holds.set(holdId, h);
    }
    expect(orders.has(`o-${holdId}`)).toBe(false);
  }
  model.unsureHolds.clear();
}

async function fetchState(url: string): Promise<StateView> {
  const r = await fetch(`${url}/internal/events/${DEMO_EVENT_ID}/state`);
  expect(r.status).toBe(200);
  return (await r.json()) as StateView;
}

/** The journal, read straight from the database: contiguous, fenced, ending at the state's version. */
async function verifyJournal(db: Db, version: number): Promise<void> {
  const { rows } = await db.query<{
    first_seq: number;
    last_seq: number;
    schema: number;
    entries: Uint8Array;
  }>('SELECT first_seq, last_seq, schema, entries FROM journal WHERE event_id = $1 ORDER BY first_seq', [
    DEMO_EVENT_ID,
  ]);
  const snap = await db.query<{ version: number }>(
    'SELECT max(version) AS version FROM snapshots WHERE event_id = $1',
    [DEMO_EVENT_ID],
  );
  let expected = rows.length > 0 ? rows[0].first_seq : (snap.rows[0]?.version ?? 0) + 1;
  for (const row of rows) {
    expect(row.first_seq).toBe(expected);
    const seqs = decodeEntries(row.schema, row.entries).map((e) => e.seq);
    expect(seqs[0]).toBe(row.first_seq);
    expect(seqs[seqs.length - 1]).toBe(row.last_seq);
    expected = row.last_seq + 1;
  }
  expect(expected - 1).toBe(version);
  const owner = await db.query<{ last_seq: number }>(
    'SELECT last_seq FROM event_owners WHERE event_id = $1',
    [DEMO_EVENT_ID],
  );
  expect(owner.rows[0].last_seq).toBe(version);
}

async function crashStorm(env: Record<string, string>, openForCheck: () => Promise<Db>): Promise<void> {
  const model = new Model();
  let lastVersion = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const server: ServerProcess = await startServerProcess(env);
    await waitReady(server.url);
    const before = await fetchState(server.url);
    expect(before.version).toBeGreaterThanOrEqual(lastVersion);
    verify(before, model);
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(server.url, model, c, cycle, stop));
    await new Promise((r) => setTimeout(r, 800 + Math.random() * 1500));
    server.child.kill('SIGKILL');
    await server.exited;
    stop.now = true;
    await Promise.all(clients);
    lastVersion = before.version;
    console.log(
      `cycle ${cycle}: ${model.acked} acknowledged so far, ${model.unsureHolds.size + model.unsureFollowUps.size} unanswered at the kill`,
    );
  }
  // A last restart to check the final crash, then a clean stop with SIGTERM.
  const server = await startServerProcess(env);
  await waitReady(server.url);
  const state = await fetchState(server.url);
  verify(state, model);
  expect(model.acked).toBeGreaterThan(100); // the storm really stormed
  // The sequence continues without a gap: the next command is the next version.
  const next = await send(server.url, { type: 'block', seats: [layout.seatCount - 1] }, 'final-block');
  expect(next?.ok).toBe(true);
  expect((await fetchState(server.url)).version).toBe(state.version + 1);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const db = await openForCheck();
  try {
    await verifyJournal(db, state.version + 1);
  } finally {
    await db.close();
  }
}

/** Which of the cluster's processes holds the event's lease (asked of `url`). */
async function ownerAt(url: string, admin: { email: string; password: string }): Promise<string | null> {
  const login = await fetch(`${url}/api/accounts/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  const { token } = (await login.json()) as { token: string };
  const r = await fetch(`${url}/api/cluster`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { leases: { eventId: string; owner: string }[] };
  return body.leases.find((l) => l.eventId === DEMO_EVENT_ID)?.owner ?? null;
}

/**
 * The storm in cluster mode: two members on one Postgres schema and Redis, the clients
 * spread over both (half of them reach the event through the member that does not own it),
 * and each cycle kills the event's owner. The survivor takes the event over (its lease
 * lapses) and must show everything acknowledged; a fresh member replaces the dead one.
 */
async function clusterStorm(base: Record<string, string>): Promise<void> {
  const admin = { email: 'crash-admin@example.com', password: 'admin-password-1' };
  const model = new Model();
  const env = (id: string) => ({
    ...base,
    ONSALE_NODE_ID: id,
    ONSALE_ADMIN_EMAIL: admin.email,
    ONSALE_ADMIN_PASSWORD: admin.password,
  });
  const members = new Map<string, ServerProcess>();
  for (const id of ['m0', 'm1']) {
    const p = await startServerProcess(env(id));
    await waitReady(p.url);
    members.set(id, p);
  }
  let spawned = 2;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const urls = [...members.values()].map((p) => p.url);
      const stop = { now: false };
      const clients = Array.from({ length: CLIENTS }, (_, c) =>
        client(urls[c % urls.length], model, c, cycle, stop),
      );
      await new Promise((r) => setTimeout(r, 800 + Math.random() * 1500));
      const ownerId = await ownerAt(urls[0], admin);
      expect(ownerId, 'the event has an owner').not.toBeNull();
      const owner = members.get(ownerId!)!;
      owner.child.kill('SIGKILL');
      await owner.exited;
      members.delete(ownerId!);
      stop.now = true;
      await Promise.all(clients);
      // The survivor takes the event over within 15 s and shows everything acknowledged.
      const survivor = [...members.values()][0];
      const t0 = Date.now();
      let state: StateView | null = null;
      while (Date.now() - t0 < 15_000 && !state) {
        state = await fetchState(survivor.url).catch(() => null);
        if (!state) await new Promise((r) => setTimeout(r, 100));
      }
      expect(state, 'the survivor took the event over within 15 s').not.toBeNull();
      verify(state!, model);
      console.log(
        `cluster cycle ${cycle}: ${model.acked} acknowledged so far; ${ownerId} killed, taken over in ${Date.now() - t0} ms`,
      );
      const id = `m${spawned++}`;
      const fresh = await startServerProcess(env(id));
      await waitReady(fresh.url);
      members.set(id, fresh);
    }
    expect(model.acked).toBeGreaterThan(100);
  } finally {
    for (const p of members.values()) p.child.kill('SIGKILL');
    await Promise.all([...members.values()].map((p) => p.exited));
  }
}

describe('crash safety: kill -9 during a storm of holds, bookings and releases', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('on embedded PGlite, loses nothing acknowledged and sells no seat twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onsale-crash-'));
    dirs.push(dir);
    const env = { ...FAULTS, ONSALE_DATA_DIR: dir, DATABASE_URL: '' };
    await crashStorm(env, () => openDb({ dataDir: dir }));
  }, 180_000);

  it('on the Postgres server, loses nothing acknowledged and sells no seat twice', async (ctx) => {
    if (!(await postgresAvailable())) return ctx.skip();
    const schema = uniqueSchema('crash');
    try {
      const env = { ...FAULTS, DATABASE_URL: POSTGRES_URL, ONSALE_DB_SCHEMA: schema };
      await crashStorm(env, () => openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }));
    } finally {
      await dropSchema(schema);
    }
  }, 180_000);

  it('in cluster mode (two members, Redis and Postgres), loses nothing acknowledged when the owner is killed', async (ctx) => {
    if (!(await postgresAvailable()) || !(await redisAvailable())) return ctx.skip();
    const schema = uniqueSchema('crash_cluster');
    try {
      await clusterStorm({
        ...FAULTS,
        DATABASE_URL: POSTGRES_URL,
        ONSALE_DB_SCHEMA: schema,
        ONSALE_REDIS_URL: REDIS_URL,
        ONSALE_CLUSTER_PREFIX: `onsale-crash-${process.pid}-${Date.now().toString(36)}`,
        ONSALE_LEASE_MS: '1500',
      });
    } finally {
      await dropSchema(schema);
    }
  }, 180_000);
});
