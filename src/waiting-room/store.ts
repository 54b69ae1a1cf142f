import { randomBytes } from 'node:crypto';
import type { Db } from '../persistence/db.ts';
import type { SavedRoom } from './queue.ts';

// Waiting rooms on the Db port (tables of migration 3): room settings and progress, tickets,
// skips, and the generated token secret. Joins are written behind, in batches: a join is
// acknowledged only once the batch holding its ticket is durable (the same output gate as
// the event actor's journal).

export interface StoredRoom extends SavedRoom {
  eventId: string;
}

const SECRET_KEY = 'jwt_secret';
const PAGE = 20_000;

/** The token secret kept in `settings`, generated on first use (every process agrees on it). */
export async function loadSecret(db: Db): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    SECRET_KEY,
    randomBytes(32).toString('base64url'),
  ]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [
    SECRET_KEY,
  ]);
  return rows[0].value;
}

interface RoomRow {
  event_id: string;
  enabled: boolean;
  rate: number;
  serving: number;
  sale_opened: boolean;
  prequeue: number;
  lottery_seed: string | null;
}

export async function loadRooms(db: Db): Promise<StoredRoom[]> {
  const { rows } = await db.query<RoomRow>(
    `SELECT event_id, enabled, rate, serving, sale_opened, prequeue, lottery_seed
     FROM waiting_rooms ORDER BY event_id`,
  );
  return rows.map(storedRoom);
}

/** One event's stored room, or null. */
export async function loadRoom(db: Db, eventId: string): Promise<StoredRoom | null> {
  const { rows } = await db.query<RoomRow>(
    `SELECT event_id, enabled, rate, serving, sale_opened, prequeue, lottery_seed
     FROM waiting_rooms WHERE event_id = $1`,
    [eventId],
  );
  return rows[0] ? storedRoom(rows[0]) : null;
}

function storedRoom(r: RoomRow): StoredRoom {
  return {
    eventId: r.event_id,
    enabled: r.enabled,
    rate: Number(r.rate),
    serving: Number(r.serving),
    saleOpened: r.sale_opened,
    prequeue: Number(r.prequeue),
    seed: r.lottery_seed,
  };
}

/** Calls `onTicket` for every stored ticket of an event, in ticket order, a page at a time. */
export async function loadTickets(
  db: Db,
  eventId: string,
  onTicket: (ticket: number, accountId: string) => void,
): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const { rows } = await db.query<{ ticket: number; account_id: string }>(
      `SELECT ticket, account_id FROM waiting_room_tickets
       WHERE event_id = $1 AND ticket > $2 ORDER BY ticket LIMIT ${PAGE}`,
      [eventId, after],
    );
    for (const r of rows) onTicket(Number(r.ticket), r.account_id);
    count += rows.length;
    if (rows.length < PAGE) return count;
    after = Number(rows[rows.length - 1].ticket);
  }
}

export async function loadSkips(db: Db, eventId: string): Promise<number[]> {
  const { rows } = await db.query<{ ticket: number }>(
    'SELECT ticket FROM waiting_room_skips WHERE event_id = $1 ORDER BY ticket',
    [eventId],
  );
  return rows.map((r) => Number(r.ticket));
}

interface Waiter {
  seq: number;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * SQLSTATE classes no retry can fix: feature not supported (0A), data exceptions (22: a NUL
 * byte, a bad encoding, a value out of range), integrity constraint violations (23), syntax
 * errors and missing objects (42). Anything else (a lost connection, a serialisation failure,
 * a server shutting down, an error without a SQLSTATE) may pass.
 */
const PERMANENT_CLASSES = new Set(['0A', '22', '23', '42']);

export function isPermanent(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_CLASSES.has(code.slice(0, 2));
}

export interface WriteFailure {
  /** No retry will be made: the writer has stopped and every waiter is refused. */
  permanent: boolean;
  /** Failed attempts in a row, this one included. */
  attempt: number;
  /** When the next attempt starts, ms; null when there is none. */
  retryInMs: number | null;
}

export interface WriterOptions {
  /** How long changes gather before a write starts, ms. */
  flushMs: number;
  /** Wait before the first retry of a failed write, ms; it doubles with every failure in a row… */
  retryMs?: number;
  /** …up to this, ms. */
  maxRetryMs?: number;
  onError?(e: unknown, failure: WriteFailure): void;
}

/**
 * The write-behind writer of one room. Every change gets a sequence number; one transaction
 * at a time writes everything pending (new tickets, skips, and the room row when it changed)
 * and makes every change up to the number it started with durable. A write that fails for a
 * passing reason keeps its changes for the next attempt (after a growing, bounded wait) and
 * fails the waiters it held (they may retry). One that can never succeed (isPermanent) stops
 * the writer: its changes are dropped, every waiter now and later is refused with its error.
 */
export class RoomWriter {
  private seq = 0;
  private durableSeq = 0;
  private tickets: number[] = [];
  private accounts: string[] = [];
  private joinedAt: number[] = [];
  private skips: number[] = [];
  private stateDirty = false;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Failed attempts in a row. */
  private failures = 0;
  private closed = false;
  /** Why the writer stopped for good, once it has. */
  private fatal: { error: unknown } | null = null;
  /** Every ticket up to this one is durable. */
  durableTicket: number;
  /** The room has a row in the database (it was restored, or a write has committed). */
  stored: boolean;

  constructor(
    private readonly db: Db,
    readonly eventId: string,
    private readonly snapshot: () => SavedRoom,
    private readonly opts: WriterOptions,
    durableTicket = 0,
    stored = false,
  ) {
    this.durableTicket = durableTicket;
    this.stored = stored;
  }

  /** The writer met a write that can never succeed and has stopped. */
  get broken(): boolean {
    return this.fatal !== null;
  }

  addTicket(ticket: number, accountId: string, at: number): void {
    if (this.fatal) return;
    this.tickets.push(ticket);
    this.accounts.push(accountId);
    this.joinedAt.push(at);
    this.changed();
  }

  addSkips(tickets: number[]): void {
    if (this.fatal) return;
    for (const t of tickets) this.skips.push(t);
    this.changed();
  }

  markState(): void {
    if (this.fatal) return;
    this.stateDirty = true;
    this.changed();
  }

  /** Resolves once every change recorded so far is durable; rejects if its write fails. */
  durable(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal.error);
    if (this.durableSeq >= this.seq) return Promise.resolve();
    const seq = this.seq;
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Writes what is pending now, without waiting for the flush interval (or a retry's wait). */
  flush(): Promise<void> {
    const done = this.durable();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.start();
    return done;
  }

  /** A last flush; afterwards nothing is scheduled (changes recorded later stay unwritten). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    }
  }

  get pending(): number {
    return this.seq - this.durableSeq;
  }

  private changed(): void {
    this.seq++;
    this.schedule(this.opts.flushMs);
  }

  private schedule(delay: number): void {
    if (this.timer || this.running || this.closed || this.fatal) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start();
    }, delay);
  }

  /** The wait before the next attempt after `failures` failures in a row. */
  private backoff(): number {
    const first = this.opts.retryMs ?? 200;
    const most = Math.max(first, this.opts.maxRetryMs ?? 5_000);
    return Math.min(most, first * 2 ** Math.min(30, Math.max(0, this.failures - 1)));
  }

  private start(): void {
    if (this.running || this.fatal || !this.hasWork()) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // Work recorded during the last write's final await, or a retry after a failure.
      if (this.hasWork()) this.schedule(this.failures > 0 ? this.backoff() : 0);
    });
  }

  private hasWork(): boolean {
    return this.tickets.length > 0 || this.skips.length > 0 || this.stateDirty;
  }

  private async run(): Promise<void> {
    while (this.hasWork()) {
      const upTo = this.seq;
      const tickets = this.tickets;
      const accounts = this.accounts;
      const joinedAt = this.joinedAt;
      const skips = this.skips;
      const state = this.stateDirty ? this.snapshot() : null;
      this.tickets = [];
      this.accounts = [];
      this.joinedAt = [];
      this.skips = [];
      this.stateDirty = false;
      try {
        await this.db.transaction(async (tx) => {
          if (tickets.length > 0) {
            await tx.query(
              `INSERT INTO waiting_room_tickets (event_id, ticket, account_id, joined_at)
               SELECT $1, t, a, to_timestamp(ms / 1000.0)
               FROM unnest($2::bigint[], $3::text[], $4::float8[]) AS u(t, a, ms)
               ON CONFLICT (event_id, ticket) DO NOTHING`,
              [this.eventId, tickets, accounts, joinedAt],
            );
          }
          if (skips.length > 0) {
            await tx.query(
              `INSERT INTO waiting_room_skips (event_id, ticket)
               SELECT $1, t FROM unnest($2::bigint[]) AS u(t)
               ON CONFLICT (event_id, ticket) DO NOTHING`,
              [this.eventId, skips],
            );
          }
          if (state) {
            await tx.query(
              `INSERT INTO waiting_rooms
                 (event_id, enabled, rate, serving, sale_opened, prequeue, lottery_seed, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, now())
               ON CONFLICT (event_id) DO UPDATE SET
                 enabled = EXCLUDED.enabled, rate = EXCLUDED.rate, serving = EXCLUDED.serving,
                 sale_opened = EXCLUDED.sale_opened, prequeue = EXCLUDED.prequeue,
                 lottery_seed = EXCLUDED.lottery_seed, updated_at = now()`,
              [
                this.eventId,
                state.enabled,
                state.rate,
                state.serving,
                state.saleOpened,
                state.prequeue,
                state.seed,
              ],
            );
          }
        });
      } catch (e) {
        this.failures++;
        if (isPermanent(e)) {
          // Retrying the same rows would fail the same way, forever: stop, and say so once.
          this.fatal = { error: e };
          this.tickets = [];
          this.accounts = [];
          this.joinedAt = [];
          this.skips = [];
          this.stateDirty = false;
          this.settle(Number.POSITIVE_INFINITY, e);
          this.opts.onError?.(e, { permanent: true, attempt: this.failures, retryInMs: null });
          return;
        }
        // Put the changes back in front of anything recorded meanwhile, for the retry.
        this.tickets = tickets.concat(this.tickets);
        this.accounts = accounts.concat(this.accounts);
        this.joinedAt = joinedAt.concat(this.joinedAt);
        this.skips = skips.concat(this.skips);
        if (state) this.stateDirty = true;
        this.settle(upTo, e);
        this.opts.onError?.(e, { permanent: false, attempt: this.failures, retryInMs: this.backoff() });
        return;
      }
      this.failures = 0;
      if (state) this.stored = true;
      this.durableSeq = upTo;
      if (tickets.length > 0) this.durableTicket = Math.max(this.durableTicket, tickets[tickets.length - 1]);
      this.settle(upTo, null);
    }
  }

  /** Resolves (or, after a failure, rejects) the waiters whose changes that write held. */
  private settle(upTo: number, error: unknown): void {
    let i = 0;
    while (i < this.waiters.length && this.waiters[i].seq <= upTo) {
      const w = this.waiters[i++];
      if (error === null) w.resolve();
      else w.reject(error);
    }
    if (i > 0) this.waiters = this.waiters.slice(i);
  }
}
