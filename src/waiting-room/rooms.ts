import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../persistence/db.ts';
import {
  badQueueToken,
  eventNotFound,
  eventNotPublished,
  notInQueue,
  roomBroken,
  roomOff,
  unavailable,
  WaitingRoomError,
} from './errors.ts';
import {
  advance,
  configure,
  createQueue,
  etaSeconds,
  heartbeat,
  join,
  openSale,
  type QueueOptions,
  type QueueState,
  Restorer,
  type SavedRoom,
  type TicketState,
  ticketState,
  waiting,
} from './queue.ts';
import { loadRoom, loadRooms, loadSecret, loadSkips, loadTickets, RoomWriter } from './store.ts';
import { Tokens } from './tokens.ts';

// The waiting rooms of every event: one deli counter each (queue.ts), its write-behind
// writer (store.ts), a shared ticker that moves `serving` on and broadcasts one figure per
// room, and the signed tokens fans carry.

/** What the catalog says of an event: out of draft ('published'), a draft, or none (null). */
export type EventLookup = (eventId: string) => Promise<'published' | 'draft' | null>;

export interface WaitingRoomsOptions {
  /**
   * Which events exist (src/server.ts asks the catalog). Rooms are only for events out of
   * draft; unknown events are 404 everywhere. Default: every id is a published event.
   */
  event?: EventLookup;
  /** Signs tokens (ONSALE_JWT_SECRET). Without it, a secret generated once and kept in `settings`. */
  secret?: string;
  /** The clock, ms. */
  now?: () => number;
  /** How often serving moves on and changes are broadcast, ms. Default 250; 0 = only by tick(). */
  tickMs?: number;
  /** How long joins gather before their batch is written, ms. Default 5. */
  flushMs?: number;
  /** First wait before retrying a failed write, ms (doubling, up to maxRetryMs). Default 200. */
  retryMs?: number;
  /** Longest wait between retries of a failed write, ms. Default 5000. */
  maxRetryMs?: number;
  /** Silence after which a waiting fan is skipped when their turn comes, s. Default 60. */
  graceSeconds?: number;
  /** How long an admission lasts (the access token's life from admission), s. Default 600. */
  accessSeconds?: number;
  /** Queue tokens' lifetime, s. Default 7 days. */
  queueTokenSeconds?: number;
  /**
   * Spare-capacity hook: the rate to admit at, given the operator's. Called once per tick
   * for each room that is on (src/waiting-room/capacity.ts scales the rate down while the
   * event's holds are slow); never admits faster than the operator's rate. Default: that rate.
   */
  admissionRate?: (eventId: string, configured: number) => number;
  /** Lottery seeds (tests pin them); default 128 random bits in hex. */
  seed?: () => string;
  /** Hears a room's figures whenever they changed since its last broadcast. */
  onTick?: (eventId: string, tick: QueueTick) => void;
  log?: Logger;
  /**
   * Cluster mode: rooms are loaded when first used (and `ensure`d when this process takes
   * an event over), not all at start, and dropped when the event moves (`drop`).
   */
  lazy?: boolean;
}

/** What routes and hooks ask of the waiting rooms: here, or (cluster mode) the event's owner's. */
export interface RoomsPort {
  configure(eventId: string, cfg: { enabled: boolean; rate: number }): Promise<RoomInfo>;
  saleOpened(eventId: string): Promise<RoomInfo>;
  join(eventId: string, accountId: string): Promise<JoinResult>;
  status(eventId: string, queueToken: string, accountId?: string): Promise<QueueStatus>;
  verifyAccess(eventId: string, accountId: string, accessToken: string | undefined): Promise<boolean>;
}

/** The one figure broadcast to a room's topic: each client derives its own position from it. */
export interface QueueTick {
  serving: number;
  /** Fans admitted per second right now. */
  rate: number;
  waiting: number;
  enabled: boolean;
}

export interface QueueView {
  ticket: number;
  serving: number;
  rate: number;
  /** Places ahead: ticket − serving (provisional before the sale opens). */
  position: number;
  /** position / rate; null while admission is stopped or before the sale opens. */
  etaSeconds: number | null;
  admitted: boolean;
  state: TicketState;
  /** False when the room is off: go straight to the seats. */
  enabled: boolean;
}

export interface JoinResult extends QueueView {
  queueToken: string;
  /** A new place (false: the account's existing one). */
  fresh: boolean;
}

export interface QueueStatus extends QueueView {
  /** While admitted: the token holds require. */
  accessToken?: string;
  /** When the admission (and its token) ends, ms since the epoch. */
  accessExpiresAt?: number;
  /** A new queue token when the ticket changed since the one presented (the lottery). */
  queueToken?: string;
}

export interface RoomInfo {
  eventId: string;
  enabled: boolean;
  /** The operator's rate. */
  rate: number;
  /** The rate admission runs at (after the spare-capacity hook). */
  effectiveRate: number;
  serving: number;
  waiting: number;
  issued: number;
  saleOpened: boolean;
  prequeue: number;
  seed: string | null;
}

interface Room {
  id: string;
  q: QueueState;
  writer: RoomWriter;
  lastTick: QueueTick | null;
  /** The spare-capacity hook's rate at the last tick; null before the first. */
  effective: number | null;
}

export const MAX_RATE = 100_000;

export class WaitingRooms implements RoomsPort {
  /** Called with a room's figures whenever they changed since its last broadcast. */
  /** Also settable after opening (tests listen in). */
  onTick: ((eventId: string, tick: QueueTick) => void) | null;
  private readonly rooms = new Map<string, Room>();
  /** Lazy mode: events whose stored room was read (or is being read), and that read. */
  private readonly loaded = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly queueOpts: QueueOptions;
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  private constructor(
    private readonly db: Db,
    private readonly tokens: Tokens,
    private readonly opts: WaitingRoomsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.onTick = opts.onTick ?? null;
    this.queueOpts = { graceSeconds: opts.graceSeconds ?? 60, accessSeconds: opts.accessSeconds ?? 600 };
    const tickMs = opts.tickMs ?? 250;
    this.timer = tickMs > 0 ? setInterval(() => this.tick(), tickMs) : null;
    this.timer?.unref();
  }

  /** Loads every stored room (replaying lotteries) and starts the ticker. */
  static async open(db: Db, opts: WaitingRoomsOptions = {}): Promise<WaitingRooms> {
    const tokens = new Tokens(opts.secret ?? (await loadSecret(db)));
    const rooms = new WaitingRooms(db, tokens, opts);
    try {
      if (!opts.lazy) for (const saved of await loadRooms(db)) await rooms.restore(saved.eventId, saved);
    } catch (e) {
      await rooms.close();
      throw e;
    }
    return rooms;
  }

  isEnabled(eventId: string): boolean {
    return this.rooms.get(eventId)?.q.enabled ?? false;
  }

  info(eventId: string): RoomInfo | undefined {
    const room = this.rooms.get(eventId);
    if (!room) return undefined;
    const q = room.q;
    return {
      eventId,
      enabled: q.enabled,
      rate: q.rate,
      effectiveRate: this.rateOf(room),
      serving: q.serving,
      waiting: waiting(q),
      issued: q.last,
      saleOpened: q.saleOpened,
      prequeue: q.prequeue,
      seed: q.seed,
    };
  }

  /** Switches an event's room on or off and sets its admission rate (fans per second). */
  async configure(eventId: string, cfg: { enabled: boolean; rate: number }): Promise<RoomInfo> {
    if (!(Number.isFinite(cfg.rate) && cfg.rate >= 0 && cfg.rate <= MAX_RATE)) {
      throw new WaitingRoomError('INVALID_RATE', `rate must be between 0 and ${MAX_RATE} fans a second`);
    }
    if (this.closed) throw unavailable();
    // Always asked (an operator's call, rarely made): a room exists only for a published event.
    if ((await this.lookup(eventId)) === 'draft') throw eventNotPublished(eventId);
    await this.ensure(eventId);
    const room = this.room(eventId);
    const r = configure(room.q, cfg, this.now(), this.rateOf(room));
    if (r.skipped.length > 0) room.writer.addSkips(r.skipped);
    room.writer.markState();
    await this.durable(room);
    this.broadcast(room);
    return this.info(eventId)!;
  }

  /**
   * The sale of an event has opened: the fans who joined before are shuffled by a seeded
   * lottery, and everyone after is first come, first served. Idempotent.
   */
  async saleOpened(eventId: string, seed?: string): Promise<RoomInfo> {
    await this.ensure(eventId);
    const room = this.room(eventId);
    if (!room.q.saleOpened) {
      const n = openSale(room.q, seed ?? this.opts.seed?.() ?? randomBytes(16).toString('hex'), this.now());
      room.writer.markState();
      this.opts.log?.info({ event: eventId, prequeued: n, seed: room.q.seed }, 'waiting room: sale opened');
    }
    await this.durable(room);
    this.broadcast(room);
    return this.info(eventId)!;
  }

  /** Takes a place (or returns the account's place) once it is durable. */
  async join(eventId: string, accountId: string): Promise<JoinResult> {
    if (this.closed) throw unavailable();
    const room = await this.roomOf(eventId);
    if (!room?.q.enabled) throw roomOff(eventId);
    const now = this.now();
    const { ticket, fresh } = join(room.q, accountId, now);
    if (fresh) room.writer.addTicket(ticket, accountId, now);
    if (fresh || ticket > room.writer.durableTicket) await this.durable(room);
    // The lottery may have renumbered the place while it was being stored.
    const current = room.q.byAccount.get(accountId) ?? ticket;
    const queueToken = await this.tokens.queueToken(
      eventId,
      accountId,
      current,
      now,
      this.opts.queueTokenSeconds ?? 7 * 24 * 3600,
    );
    return { ...this.view(room, current, this.now()), queueToken, fresh };
  }

  /**
   * Where the bearer of a queue token stands; counts as a heartbeat. With `accountId`, the
   * token must be that account's. Admitted fans get their access token.
   */
  async status(eventId: string, queueToken: string, accountId?: string): Promise<QueueStatus> {
    const room = await this.roomOf(eventId);
    if (!room) throw roomOff(eventId);
    const now = this.now();
    const claims = await this.tokens.verify(queueToken, 'queue', eventId, now);
    if (!claims || (accountId !== undefined && claims.sub !== accountId)) throw badQueueToken();
    const ticket = heartbeat(room.q, claims.sub, now);
    if (ticket === undefined) throw notInQueue();
    const out: QueueStatus = this.view(room, ticket, now);
    if (out.state === 'admitted') {
      const exp = room.q.seen[ticket] + this.queueOpts.accessSeconds;
      out.accessToken = await this.tokens.accessToken(eventId, claims.sub, now, exp);
      out.accessExpiresAt = exp * 1000;
    }
    if (claims.tk !== ticket) {
      out.queueToken = await this.tokens.queueToken(
        eventId,
        claims.sub,
        ticket,
        now,
        this.opts.queueTokenSeconds ?? 7 * 24 * 3600,
      );
    }
    return out;
  }

  /** May this account hold seats of this event now? Always while its room is off. */
  async verifyAccess(eventId: string, accountId: string, accessToken: string | undefined): Promise<boolean> {
    if (this.opts.lazy) await this.ensure(eventId);
    const room = this.rooms.get(eventId);
    if (!room?.q.enabled) return true;
    if (!accessToken) return false;
    const claims = await this.tokens.verify(accessToken, 'access', eventId, this.now());
    return claims !== null && claims.sub === accountId;
  }

  /** Moves every room on to `now` and broadcasts what changed (the ticker calls it). */
  tick(now = this.now()): void {
    for (const room of this.rooms.values()) {
      this.consult(room);
      const r = advance(room.q, now, this.rateOf(room));
      if (r.skipped.length > 0) room.writer.addSkips(r.skipped);
      if (r.admitted > 0 || r.skipped.length > 0) room.writer.markState();
      this.broadcast(room);
    }
  }

  /** Stops the ticker and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    const results = await Promise.allSettled([...this.rooms.values()].map((r) => r.writer.close()));
    for (const r of results) {
      if (r.status === 'rejected')
        this.opts.log?.error({ err: r.reason }, 'waiting room: final write failed');
    }
  }

  private view(room: Room, ticket: number, now: number): QueueView {
    const q = room.q;
    const state = ticketState(q, ticket, now);
    const rate = this.rateOf(room);
    const ahead = state === 'waiting' || state === 'prequeue' ? ticket - q.serving : 0;
    return {
      ticket,
      serving: q.serving,
      rate,
      position: ahead,
      etaSeconds: state === 'waiting' ? etaSeconds(ahead, rate) : state === 'admitted' ? 0 : null,
      admitted: state === 'admitted',
      state,
      enabled: q.enabled,
    };
  }

  /** The rate admission runs at: the operator's, or what the hook said at the last tick (never more). */
  private rateOf(room: Room): number {
    const q = room.q;
    if (!q.enabled) return 0;
    return Math.min(room.effective ?? q.rate, q.rate);
  }

  /** Asks the spare-capacity hook once per tick (it may keep state: each call is a new window). */
  private consult(room: Room): void {
    const hook = this.opts.admissionRate;
    if (!hook || !room.q.enabled) return;
    const r = hook(room.id, room.q.rate);
    room.effective = Number.isFinite(r) && r > 0 ? Math.min(r, MAX_RATE) : 0;
  }

  private broadcast(room: Room): void {
    const t: QueueTick = {
      serving: room.q.serving,
      rate: this.rateOf(room),
      waiting: waiting(room.q),
      enabled: room.q.enabled,
    };
    const p = room.lastTick;
    if (
      p &&
      p.serving === t.serving &&
      p.rate === t.rate &&
      p.waiting === t.waiting &&
      p.enabled === t.enabled
    ) {
      return;
    }
    room.lastTick = t;
    try {
      this.onTick?.(room.id, t);
    } catch (e) {
      this.opts.log?.error({ err: e, event: room.id }, 'waiting room: tick listener failed');
    }
  }

  /** What the lookup says of an event that exists (throws 404 for one that does not). */
  private async lookup(eventId: string): Promise<'published' | 'draft'> {
    if (!this.opts.event) return 'published';
    let state: 'published' | 'draft' | null;
    try {
      state = await this.opts.event(eventId);
    } catch (e) {
      this.opts.log?.warn({ err: e, event: eventId }, 'waiting room: event lookup failed');
      throw unavailable();
    }
    if (state === null) throw eventNotFound(eventId);
    return state;
  }

  /**
   * The event's room, or undefined when it has none (its event exists). A room in memory
   * proves its event exists, so the hot paths (joins, status polls) ask nothing more.
   */
  private async roomOf(eventId: string): Promise<Room | undefined> {
    const room = this.rooms.get(eventId);
    if (room) return room;
    await this.lookup(eventId);
    await this.ensure(eventId);
    return this.rooms.get(eventId);
  }

  /**
   * Lazy mode: the event's stored room in memory. Read from the database once per event (an
   * event with no room is asked about once, not at every hold); concurrent calls share it.
   */
  async ensure(eventId: string): Promise<void> {
    if (!this.opts.lazy || this.rooms.has(eventId) || this.closed) return;
    let p = this.loaded.get(eventId);
    if (!p) {
      p = loadRoom(this.db, eventId).then(async (saved) => {
        if (saved && !this.rooms.has(eventId)) await this.restore(eventId, saved);
      });
      // A failed read is tried again by the next call.
      p.catch(() => this.loaded.delete(eventId));
      this.loaded.set(eventId, p);
    }
    await p;
  }

  /** The event moved to another process: its room's pending writes go out and it is forgotten here. */
  async drop(eventId: string): Promise<void> {
    // Read again if the event comes back: the other process may have changed the room.
    this.loaded.delete(eventId);
    const room = this.rooms.get(eventId);
    if (!room) return;
    this.rooms.delete(eventId);
    await room.writer
      .close()
      .catch((err) => this.opts.log?.error({ err, event: eventId }, 'waiting room: final write failed'));
  }

  private async durable(room: Room): Promise<void> {
    try {
      await room.writer.durable();
    } catch {
      if (!room.writer.broken) throw unavailable();
      // Logged once, by the writer. A room never stored is forgotten: nothing ticks, counts
      // or broadcasts for it. A stored one stays, serving what memory knows.
      if (!room.writer.stored && this.rooms.get(room.id) === room) this.rooms.delete(room.id);
      throw roomBroken(room.id);
    }
  }

  private room(eventId: string): Room {
    if (this.closed) throw unavailable();
    let room = this.rooms.get(eventId);
    if (!room) {
      room = this.add(eventId, createQueue(this.queueOpts, this.now()), 0, false);
      room.writer.markState();
    }
    return room;
  }

  private add(eventId: string, q: QueueState, durableTicket: number, stored: boolean): Room {
    const snapshot = (): SavedRoom => ({
      enabled: q.enabled,
      rate: q.rate,
      serving: q.serving,
      saleOpened: q.saleOpened,
      prequeue: q.prequeue,
      seed: q.seed,
    });
    const writer = new RoomWriter(
      this.db,
      eventId,
      snapshot,
      {
        flushMs: this.opts.flushMs ?? 5,
        retryMs: this.opts.retryMs,
        maxRetryMs: this.opts.maxRetryMs,
        // A failure that will be retried is a warning (one per attempt, the attempts ever
        // further apart); one that stops the room's writes is an error, said once.
        onError: (err, f) =>
          f.permanent
            ? this.opts.log?.error(
                { err, event: eventId, attempt: f.attempt },
                'waiting room: write failed for good; the room is no longer stored',
              )
            : this.opts.log?.warn(
                { err, event: eventId, attempt: f.attempt, retryInMs: f.retryInMs },
                'waiting room: write failed; retrying',
              ),
      },
      durableTicket,
      stored,
    );
    const room: Room = { id: eventId, q, writer, lastTick: null, effective: null };
    this.rooms.set(eventId, room);
    return room;
  }

  private async restore(eventId: string, saved: SavedRoom): Promise<void> {
    const now = this.now();
    const restorer = new Restorer(this.queueOpts, saved, now);
    await loadTickets(this.db, eventId, (t, a) => restorer.add(t, a));
    const q = restorer.finish(await loadSkips(this.db, eventId));
    this.add(eventId, q, q.last, true);
    this.opts.log?.info(
      { event: eventId, issued: q.last, serving: q.serving, enabled: q.enabled },
      'waiting room restored',
    );
  }
}
