import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../../src/gateway/status-codes.ts';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { WaitingRoomError } from '../../src/waiting-room/errors.ts';
import { type QueueTick, WaitingRooms, type WaitingRoomsOptions } from '../../src/waiting-room/rooms.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';

// The WaitingRooms service and its store on both database adapters (embedded PGlite and a
// Postgres server): joins behind an output gate, status and heartbeats, admission and access
// tokens, the lottery, write failures, and recovery after a restart.

const pgUp = await postgresAvailable();
const S = 1000;

interface Adapter {
  name: string;
  skip: boolean;
  /** A fresh database, and a way to open it again (a restart). */
  create(): Promise<{ open(): Promise<Db>; cleanup(): Promise<void> }>;
}

const adapters: Adapter[] = [
  {
    name: 'PGlite',
    skip: false,
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'onsale-wr-'));
      return {
        open: () => openDb({ dataDir: dir }),
        async cleanup() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'Postgres',
    skip: !pgUp,
    async create() {
      const schema = uniqueSchema('waitingroom');
      return {
        open: () => openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

/** A Db whose transactions can be held back or made to fail, and are counted. */
function faulty(db: Db) {
  let latch: Promise<void> = Promise.resolve();
  let release = () => {};
  const state = { failing: false, transactions: 0, at: [] as number[] };
  const proxy: Db = {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    async transaction(fn) {
      state.transactions++;
      state.at.push(performance.now());
      await latch;
      if (state.failing) throw new Error('injected write failure');
      return db.transaction(fn);
    },
  };
  return {
    db: proxy,
    state,
    hold() {
      latch = new Promise((r) => {
        release = r;
      });
    },
    release: () => release(),
  };
}

async function refusal(p: Promise<unknown>): Promise<WaitingRoomError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WaitingRoomError);
  return e as WaitingRoomError;
}

/** A logger whose lines (warn and up) land in `lines`. */
function capturingLog() {
  const lines: { level: number; msg: string; attempt?: number; retryInMs?: number | null }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((r) => setTimeout(r, 30));
  return done;
};

/** Waits until the room row of `eventId` is in the database. */
async function waitForRow(db: Db, eventId: string): Promise<void> {
  const until = Date.now() + 2_000;
  for (;;) {
    const { rows } = await db.query('SELECT 1 FROM waiting_rooms WHERE event_id = $1', [eventId]);
    if (rows.length > 0) return;
    if (Date.now() > until) throw new Error(`no room row for ${eventId}`);
    await sleep(10);
  }
}

for (const adapter of adapters) {
  describe.skipIf(adapter.skip)(`WaitingRooms on ${adapter.name}`, () => {
    let store: Awaited<ReturnType<Adapter['create']>>;
    const open: { db: Db; rooms: WaitingRooms }[] = [];
    const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
    let n = 0;
    const ev = () => `ev-${adapter.name}-${++n}`;

    async function start(opts: WaitingRoomsOptions = {}, wrap?: (db: Db) => Db) {
      const raw = await store.open();
      const db = wrap ? wrap(raw) : raw;
      const rooms = await WaitingRooms.open(db, { now: () => clock.t, tickMs: 0, flushMs: 2, ...opts });
      const entry = { db: raw, rooms };
      open.push(entry);
      return {
        db: raw,
        rooms,
        async stop() {
          await rooms.close();
          await raw.close();
          open.splice(open.indexOf(entry), 1);
        },
      };
    }

    beforeAll(async () => {
      store = await adapter.create();
    });
    afterEach(async () => {
      for (const o of open.splice(0)) {
        await o.rooms.close();
        await o.db.close();
      }
    });
    afterAll(async () => {
      await store?.cleanup();
    });

    it('refuses joins while no room is on, and says holds need no token then', async () => {
      const { rooms } = await start();
      const id = ev();
      expect((await refusal(rooms.join(id, 'a'))).code).toBe('WAITING_ROOM_OFF');
      expect(await rooms.verifyAccess(id, 'a', undefined)).toBe(true);
      await rooms.configure(id, { enabled: false, rate: 5 });
      expect(statusOf((await refusal(rooms.join(id, 'a'))).code)).toBe(409);
      expect(rooms.isEnabled(id)).toBe(false);
    });

    it('acknowledges a join only once its batch is durable, and batches concurrent joins', async () => {
      let f!: ReturnType<typeof faulty>;
      const { db, rooms } = await start({}, (raw) => {
        f = faulty(raw);
        return f.db;
      });
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 1 });
      f.hold();
      const before = f.state.transactions;
      const joins = Array.from({ length: 50 }, (_, i) => rooms.join(id, `fan${i}`));
      expect(await settled(Promise.race(joins))).toBe(false);
      const { rows: none } = await db.query(
        'SELECT count(*)::int AS n FROM waiting_room_tickets WHERE event_id = $1',
        [id],
      );
      expect(none[0]).toEqual({ n: 0 });
      f.release();
      const out = await Promise.all(joins);
      expect(out.map((o) => o.ticket)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(f.state.transactions - before).toBeLessThanOrEqual(2);
      const { rows } = await db.query<{ ticket: number; account_id: string }>(
        'SELECT ticket, account_id FROM waiting_room_tickets WHERE event_id = $1 ORDER BY ticket',
        [id],
      );
      expect(rows.length).toBe(50);
      expect(rows[49]).toEqual({ ticket: 50, account_id: 'fan49' });
    });

    it('gives one place per account, reports position and ETA, admits at the rate and hands out access tokens', async () => {
      const { rooms } = await start();
      const id = ev();
      const ticks: QueueTick[] = [];
      rooms.onTick = (e, t) => {
        if (e === id) ticks.push(t);
      };
      await rooms.configure(id, { enabled: true, rate: 2 });
      await rooms.saleOpened(id);
      const a = await rooms.join(id, 'alice');
      const b = await rooms.join(id, 'bob');
      const c = await rooms.join(id, 'carol');
      expect([a.ticket, b.ticket, c.ticket]).toEqual([1, 2, 3]);
      expect(a.fresh).toBe(true);
      const again = await rooms.join(id, 'bob');
      expect(again).toMatchObject({ ticket: 2, fresh: false });

      const s = await rooms.status(id, c.queueToken, 'carol');
      expect(s).toMatchObject({
        ticket: 3,
        serving: 0,
        rate: 2,
        position: 3,
        etaSeconds: 1.5,
        admitted: false,
      });
      expect(s.accessToken).toBeUndefined();

      rooms.tick(clock.t); // sets the baseline broadcast
      clock.t += S;
      rooms.tick(clock.t);
      expect(ticks.at(-1)).toEqual({ serving: 2, rate: 2, waiting: 1, enabled: true });
      const n = ticks.length;
      rooms.tick(clock.t);
      expect(ticks.length).toBe(n); // nothing changed: no broadcast

      const sa = await rooms.status(id, a.queueToken, 'alice');
      expect(sa).toMatchObject({ state: 'admitted', admitted: true, position: 0, etaSeconds: 0 });
      expect(sa.accessExpiresAt).toBe(clock.t + 600 * S);
      expect(await rooms.verifyAccess(id, 'alice', sa.accessToken)).toBe(true);
      expect(await rooms.verifyAccess(id, 'carol', sa.accessToken)).toBe(false);
      expect(await rooms.verifyAccess(id, 'carol', undefined)).toBe(false);
      expect(await rooms.verifyAccess(`${id}-other`, 'alice', sa.accessToken)).toBe(true); // no room there
      const other = ev();
      await rooms.configure(other, { enabled: true, rate: 1 });
      expect(await rooms.verifyAccess(other, 'alice', sa.accessToken)).toBe(false);

      // admission lasts 600 s from the moment it was granted
      clock.t += 601 * S;
      expect(await rooms.verifyAccess(id, 'alice', sa.accessToken)).toBe(false);
      expect((await rooms.status(id, a.queueToken, 'alice')).state).toBe('expired');
      expect((await rooms.join(id, 'alice')).ticket).toBe(4);
    });

    it('refuses a queue token of another account, a forged one, and a stranger', async () => {
      const { rooms } = await start();
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 1 });
      const a = await rooms.join(id, 'alice');
      expect((await refusal(rooms.status(id, a.queueToken, 'bob'))).code).toBe('INVALID_QUEUE_TOKEN');
      expect(statusOf((await refusal(rooms.status(id, `${a.queueToken}x`))).code)).toBe(403);
      const other = ev();
      await rooms.configure(other, { enabled: true, rate: 1 });
      expect((await refusal(rooms.status(other, a.queueToken))).code).toBe('INVALID_QUEUE_TOKEN');
    });

    it('shuffles the pre-queue at opening and hands the renumbered fan a new queue token', async () => {
      const { rooms } = await start({ seed: () => 'pinned-seed' });
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 100 });
      const early = await Promise.all(Array.from({ length: 20 }, (_, i) => rooms.join(id, `fan${i}`)));
      expect(early[0].state).toBe('prequeue');
      expect(early[0].etaSeconds).toBeNull();
      const info = await rooms.saleOpened(id);
      expect(info).toMatchObject({ saleOpened: true, prequeue: 20, seed: 'pinned-seed' });
      const after = await Promise.all(early.map((e, i) => rooms.status(id, e.queueToken, `fan${i}`)));
      const tickets = after.map((s) => s.ticket);
      expect([...tickets].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(tickets).not.toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const moved = after.findIndex((s, i) => s.ticket !== early[i].ticket);
      expect(after[moved].queueToken).toBeDefined();
      expect((await rooms.status(id, after[moved].queueToken!, `fan${moved}`)).queueToken).toBeUndefined();
      expect((await rooms.join(id, 'late')).ticket).toBe(21);
    });

    it('follows the spare-capacity hook for the admission rate', async () => {
      const { rooms } = await start({ admissionRate: (_e, configured) => configured / 4 });
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 8 });
      await rooms.saleOpened(id);
      for (let i = 0; i < 10; i++) await rooms.join(id, `f${i}`);
      rooms.tick(clock.t);
      clock.t += 2 * S;
      rooms.tick(clock.t);
      expect(rooms.info(id)).toMatchObject({ rate: 8, effectiveRate: 2, serving: 4 });
    });

    it('fails a join whose write fails with a retryable 503, then keeps the same place on retry', async () => {
      let f!: ReturnType<typeof faulty>;
      const { rooms, db } = await start({}, (raw) => {
        f = faulty(raw);
        return f.db;
      });
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 1 });
      f.state.failing = true;
      const e = await refusal(rooms.join(id, 'alice'));
      expect(e).toMatchObject({ code: 'UNAVAILABLE' });
      f.state.failing = false;
      const ok = await rooms.join(id, 'alice');
      expect(ok.ticket).toBe(1);
      const { rows } = await db.query('SELECT account_id FROM waiting_room_tickets WHERE event_id = $1', [
        id,
      ]);
      expect(rows).toEqual([{ account_id: 'alice' }]);
    });

    it('given a room write that can never succeed (Postgres refuses a NUL byte), then one attempt, one error line, WAITING_ROOM_BROKEN for the caller, and the never-stored room is forgotten', async () => {
      let f!: ReturnType<typeof faulty>;
      const { log, lines } = capturingLog();
      const { rooms, db } = await start({ log, retryMs: 5, maxRetryMs: 20 }, (raw) => {
        f = faulty(raw);
        return f.db;
      });
      const id = `bad\u0000${ev()}`;
      const e = await refusal(rooms.configure(id, { enabled: true, rate: 1 }));
      expect(e).toMatchObject({ code: 'WAITING_ROOM_BROKEN' });
      const attempts = f.state.transactions;
      await sleep(300); // a writer that retried would have tried ~15 more times by now
      expect(f.state.transactions).toBe(attempts);
      expect(attempts).toBe(1);
      const failures = lines.filter((l) => l.msg.startsWith('waiting room: write failed'));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ level: 50, attempt: 1 });
      expect(rooms.info(id)).toBeUndefined();
      expect((await refusal(rooms.join(id, 'a'))).code).toBe('WAITING_ROOM_OFF');
      rooms.tick(clock.t + 5 * S);
      expect(f.state.transactions).toBe(attempts);
      // The rest of the rooms are unaffected.
      const ok = ev();
      await rooms.configure(ok, { enabled: true, rate: 1 });
      expect((await rooms.join(ok, 'a')).ticket).toBe(1);
      const { rows } = await db.query('SELECT event_id FROM waiting_rooms WHERE event_id = $1', [ok]);
      expect(rows).toHaveLength(1);
    });

    it('given a stored room whose next write can never succeed, then that caller and every later one get WAITING_ROOM_BROKEN, no retries, fans already in keep their status', async () => {
      let f!: ReturnType<typeof faulty>;
      const { log, lines } = capturingLog();
      const { rooms } = await start({ log, retryMs: 5, maxRetryMs: 20 }, (raw) => {
        f = faulty(raw);
        return f.db;
      });
      const id = ev();
      await rooms.configure(id, { enabled: true, rate: 1 });
      const alice = await rooms.join(id, 'alice');
      const attempts = f.state.transactions;
      expect((await refusal(rooms.join(id, 'eve\u0000'))).code).toBe('WAITING_ROOM_BROKEN');
      expect((await refusal(rooms.join(id, 'bob'))).code).toBe('WAITING_ROOM_BROKEN');
      expect((await refusal(rooms.configure(id, { enabled: true, rate: 2 }))).code).toBe(
        'WAITING_ROOM_BROKEN',
      );
      await sleep(200);
      expect(f.state.transactions).toBe(attempts + 1);
      expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
      expect(rooms.info(id)).toMatchObject({ enabled: true });
      expect((await rooms.status(id, alice.queueToken, 'alice')).ticket).toBe(1);
    });

    it('given writes failing for a passing reason, then retries back off (doubling up to the ceiling) and the changes land once the database is back', async () => {
      let f!: ReturnType<typeof faulty>;
      const { log, lines } = capturingLog();
      const { rooms, db } = await start({ log, retryMs: 10, maxRetryMs: 40 }, (raw) => {
        f = faulty(raw);
        return f.db;
      });
      const id = ev();
      f.state.failing = true;
      const e = await refusal(rooms.configure(id, { enabled: true, rate: 3 }));
      expect(e).toMatchObject({ code: 'UNAVAILABLE' });
      const from = f.state.at.length - 1;
      await sleep(400);
      const at = f.state.at.slice(from);
      const gaps = at.slice(1).map((t, i) => t - at[i]);
      // 10, 20, 40, 40, …: about 11 attempts in 400 ms, not one every 10 ms.
      expect(at.length).toBeGreaterThanOrEqual(4);
      expect(at.length).toBeLessThanOrEqual(14);
      expect(gaps[0]).toBeGreaterThanOrEqual(8);
      expect(gaps[1]).toBeGreaterThanOrEqual(18);
      for (const g of gaps.slice(2)) {
        expect(g).toBeGreaterThanOrEqual(35);
        expect(g).toBeLessThan(200);
      }
      const warned = lines.filter((l) => l.msg === 'waiting room: write failed; retrying');
      expect(warned.length).toBe(at.length);
      expect(warned.at(-1)).toMatchObject({ level: 40, attempt: at.length, retryInMs: 40 });
      expect(lines.some((l) => l.level >= 50)).toBe(false);
      f.state.failing = false;
      await waitForRow(db, id);
      expect(rooms.info(id)).toMatchObject({ enabled: true, rate: 3 });
      expect((await rooms.join(id, 'a')).ticket).toBe(1);
    });

    it('given an event lookup, then unknown events are 404 and drafts 409 on configure, joins and status ask nothing once a room exists, and a failing lookup is a 503', async () => {
      const events = new Map<string, 'published' | 'draft'>();
      let asked = 0;
      let broken = false;
      const { rooms, db } = await start({
        event: async (eventId) => {
          asked++;
          if (broken) throw new Error('catalog down');
          return events.get(eventId) ?? null;
        },
      });
      const [unknown, draft, live] = [ev(), ev(), ev()];
      events.set(draft, 'draft');
      events.set(live, 'published');
      for (const p of [
        rooms.configure(unknown, { enabled: true, rate: 5 }),
        rooms.join(unknown, 'a'),
        rooms.status(unknown, 'token', 'a'),
      ])
        expect(await refusal(p)).toMatchObject({ code: 'EVENT_NOT_FOUND' });
      expect(await refusal(rooms.configure(draft, { enabled: true, rate: 5 }))).toMatchObject({
        code: 'EVENT_NOT_PUBLISHED',
      });
      expect((await refusal(rooms.join(draft, 'a'))).code).toBe('WAITING_ROOM_OFF');
      expect(rooms.info(unknown)).toBeUndefined();
      expect(rooms.info(draft)).toBeUndefined();
      const { rows } = await db.query('SELECT event_id FROM waiting_rooms WHERE event_id = ANY($1)', [
        [unknown, draft],
      ]);
      expect(rows).toEqual([]);

      await rooms.configure(live, { enabled: true, rate: 5 });
      const before = asked;
      const a = await rooms.join(live, 'a');
      await rooms.status(live, a.queueToken, 'a');
      expect(asked).toBe(before);
      broken = true;
      expect(await refusal(rooms.join(unknown, 'a'))).toMatchObject({ code: 'UNAVAILABLE' });
      expect((await rooms.join(live, 'b')).ticket).toBe(2);
    });

    it('survives a restart: tickets, lottery, serving, skips, and the tokens already handed out', async () => {
      const id = ev();
      let first = await start({ graceSeconds: 60, seed: () => 'restart-seed' });
      await first.rooms.configure(id, { enabled: true, rate: 1 });
      const joined = [];
      for (let i = 0; i < 12; i++) joined.push(await first.rooms.join(id, `fan${i}`));
      await first.rooms.saleOpened(id);
      const ticketOf = new Map<string, number>();
      for (let i = 0; i < 12; i++) {
        ticketOf.set(`fan${i}`, (await first.rooms.status(id, joined[i].queueToken, `fan${i}`)).ticket);
      }
      // fan at ticket 2 goes quiet; everyone else keeps polling while 5 s of admission pass
      const quiet = [...ticketOf].find(([, t]) => t === 2)![0];
      first.rooms.tick(clock.t);
      clock.t += 61 * S;
      for (let i = 0; i < 12; i++) {
        if (`fan${i}` !== quiet) await first.rooms.status(id, joined[i].queueToken, `fan${i}`);
      }
      first.rooms.tick(clock.t); // 61 admissions' worth: everyone passes; credit is capped
      clock.t += S;
      first.rooms.tick(clock.t);
      const before = first.rooms.info(id)!;
      const admittedFan = [...ticketOf].find(([, t]) => t === 1)![0];
      const admittedIdx = Number(admittedFan.slice(3));
      const access = (await first.rooms.status(id, joined[admittedIdx].queueToken, admittedFan)).accessToken;
      expect(access).toBeDefined();
      const rejoined = await first.rooms.join(id, quiet);
      expect(rejoined.ticket).toBe(13);
      await first.stop();

      first = await start({ graceSeconds: 60 });
      const rooms = first.rooms;
      expect(rooms.info(id)).toMatchObject({
        enabled: true,
        rate: 1,
        serving: before.serving,
        issued: 13,
        saleOpened: true,
        prequeue: 12,
        seed: 'restart-seed',
      });
      for (let i = 0; i < 12; i++) {
        const s = await rooms.status(id, joined[i].queueToken, `fan${i}`);
        if (`fan${i}` === quiet) expect(s.ticket).toBe(13);
        else expect(s.ticket).toBe(ticketOf.get(`fan${i}`));
      }
      expect(await rooms.verifyAccess(id, admittedFan, access)).toBe(true);
      expect((await rooms.join(id, quiet)).ticket).toBe(13);
      expect((await rooms.join(id, 'newcomer')).ticket).toBe(14);
    });

    it('keeps a skipped fan skipped across a restart', async () => {
      const id = ev();
      let s = await start({ seed: () => 'k' });
      await s.rooms.configure(id, { enabled: true, rate: 1 });
      await s.rooms.saleOpened(id);
      const quiet = await s.rooms.join(id, 'quiet');
      const keen = await s.rooms.join(id, 'keen');
      s.rooms.tick(clock.t);
      clock.t += 61 * S;
      await s.rooms.status(id, keen.queueToken, 'keen');
      s.rooms.tick(clock.t);
      expect((await s.rooms.status(id, quiet.queueToken, 'quiet')).state).toBe('skipped');
      await s.stop();
      s = await start();
      expect((await s.rooms.status(id, quiet.queueToken, 'quiet')).state).toBe('skipped');
      expect((await s.rooms.status(id, keen.queueToken, 'keen')).state).toBe('admitted');
    });

    it('signs with ONSALE_JWT_SECRET when given, otherwise with the stored secret', async () => {
      const id = ev();
      const s1 = await start();
      await s1.rooms.configure(id, { enabled: true, rate: 1 });
      const stored = await s1.rooms.join(id, 'a');
      await s1.stop();
      const s2 = await start({ secret: 'x'.repeat(40) });
      expect((await refusal(s2.rooms.status(id, stored.queueToken, 'a'))).code).toBe('INVALID_QUEUE_TOKEN');
      const explicit = await s2.rooms.join(id, 'a');
      await s2.stop();
      const s3 = await start({ secret: 'x'.repeat(40) });
      expect((await s3.rooms.status(id, explicit.queueToken, 'a')).ticket).toBe(1);
      await s3.stop();
      const s4 = await start();
      expect((await s4.rooms.status(id, stored.queueToken, 'a')).ticket).toBe(1);
    });
  });
}
