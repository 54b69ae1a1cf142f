import { createPrng } from './prng.ts';

// The deli counter of one event, as pure logic: no I/O, no timers, time passed in (ms).
//
// A fan who joins takes the next ticket (1, 2, 3, …). The room moves one figure, `serving`,
// forward at the admission rate; a ticket at or below `serving` has had its turn: it was
// either admitted or, when its fan had stopped heartbeating for longer than the grace
// period, skipped. Everyone still waiting works out their own place as ticket − serving.
//
// Memory: per ticket, the account id (a reference to the string the Map also holds), the
// last-seen second (while waiting; the admission second once admitted) and one byte of
// flags, in arrays indexed by ticket; plus one Map entry from account id to ticket. About
// 100 bytes a fan, measured in test/waiting-room/memory.test.ts.
//
// Before the sale opens the tickets are provisional (arrival order). At opening the
// pre-queue is shuffled once with a seeded Fisher–Yates (the lottery); later joins are first
// come, first served behind it.

export const ADMITTED = 1;
export const SKIPPED = 2;

export type TicketState = 'prequeue' | 'waiting' | 'admitted' | 'expired' | 'skipped';

export interface QueueOptions {
  /** A waiting fan silent this long is skipped when serving reaches their ticket. */
  graceSeconds: number;
  /** How long after admission the fan's access lasts. */
  accessSeconds: number;
}

export interface QueueConfig {
  enabled: boolean;
  /** Fans admitted per second (fractions allowed; 0 pauses admission). */
  rate: number;
}

export interface QueueState extends QueueConfig {
  readonly opts: QueueOptions;
  /** Highest ticket that has had its turn. */
  serving: number;
  /** Admissions earned by elapsed time but not yet made (the fractional accumulator). */
  credit: number;
  /** When advance() last ran, ms. */
  lastAdvance: number;
  saleOpened: boolean;
  /** The lottery's seed, once the sale has opened. */
  seed: string | null;
  /** Tickets issued before opening: the lottery shuffled 1..prequeue. */
  prequeue: number;
  /** Highest ticket issued. */
  last: number;
  /** Account of each ticket (index 0 unused; '' for a ticket lost before it was stored). */
  accounts: string[];
  /** Seconds: last heartbeat while waiting, admission time once admitted. */
  seen: Uint32Array;
  flags: Uint8Array;
  /** Each account's current ticket. */
  byAccount: Map<string, number>;
}

export interface AdvanceResult {
  admitted: number;
  /** Tickets skipped by this advance (to be stored). */
  skipped: number[];
}

export const seconds = (ms: number): number => Math.floor(ms / 1000);

export function createQueue(opts: QueueOptions, now: number, capacity = 1024): QueueState {
  return {
    opts,
    enabled: false,
    rate: 0,
    serving: 0,
    credit: 0,
    lastAdvance: now,
    saleOpened: false,
    seed: null,
    prequeue: 0,
    last: 0,
    accounts: [''],
    seen: new Uint32Array(capacity),
    flags: new Uint8Array(capacity),
    byAccount: new Map(),
  };
}

/** Switches the room on or off and sets the rate; time before `now` counts at the old rate. */
export function configure(q: QueueState, cfg: QueueConfig, now: number, currentRate = q.rate): AdvanceResult {
  const r = advance(q, now, currentRate);
  q.enabled = cfg.enabled;
  q.rate = cfg.rate;
  return r;
}

export function ticketState(q: QueueState, ticket: number, now: number): TicketState {
  const f = q.flags[ticket];
  if (f & SKIPPED) return 'skipped';
  if (f & ADMITTED) return seconds(now) >= q.seen[ticket] + q.opts.accessSeconds ? 'expired' : 'admitted';
  return q.saleOpened ? 'waiting' : 'prequeue';
}

export interface JoinOutcome {
  ticket: number;
  /** A new ticket (to be stored), rather than the account's existing place. */
  fresh: boolean;
}

/**
 * One place per account: joining again returns the same ticket (and counts as a heartbeat)
 * unless that ticket was skipped or its access has expired; then the fan starts again at
 * the end.
 */
export function join(q: QueueState, accountId: string, now: number): JoinOutcome {
  const had = q.byAccount.get(accountId);
  if (had !== undefined) {
    const state = ticketState(q, had, now);
    if (state === 'waiting' || state === 'prequeue') {
      q.seen[had] = seconds(now);
      return { ticket: had, fresh: false };
    }
    if (state === 'admitted') return { ticket: had, fresh: false };
  }
  const id = flatCopy(accountId);
  const ticket = place(q, id, seconds(now), 0);
  q.byAccount.set(id, ticket);
  return { ticket, fresh: true };
}

/** Records that a fan is still there. Returns their ticket, or undefined for a stranger. */
export function heartbeat(q: QueueState, accountId: string, now: number): number | undefined {
  const t = q.byAccount.get(accountId);
  if (t !== undefined && (q.flags[t] & (ADMITTED | SKIPPED)) === 0) q.seen[t] = seconds(now);
  return t;
}

/**
 * Moves `serving` on by rate × elapsed admissions. Tickets whose fans have been silent for
 * longer than the grace period are skipped on the way, without using up admissions. The
 * accumulator keeps fractions between calls; an empty queue banks at most one admission,
 * so admissions over any interval never exceed rate × interval + 1.
 */
export function advance(q: QueueState, now: number, rate = q.rate): AdvanceResult {
  const elapsed = Math.max(0, now - q.lastAdvance) / 1000;
  q.lastAdvance = Math.max(q.lastAdvance, now);
  const out: AdvanceResult = { admitted: 0, skipped: [] };
  if (!q.enabled || !q.saleOpened || !(rate > 0)) return out;
  q.credit += rate * elapsed;
  const nowSec = seconds(now);
  const grace = q.opts.graceSeconds;
  while (q.credit >= 1 && q.serving < q.last) {
    const t = ++q.serving;
    if (q.flags[t] & SKIPPED) continue; // a hole left by a ticket that was never stored
    if (nowSec - q.seen[t] > grace) {
      q.flags[t] |= SKIPPED;
      out.skipped.push(t);
    } else {
      q.flags[t] |= ADMITTED;
      q.seen[t] = nowSec;
      q.credit -= 1;
      out.admitted++;
    }
  }
  if (q.serving >= q.last && q.credit > 1) q.credit = 1;
  return out;
}

/**
 * Opens the sale: the pre-queue (every ticket issued so far) is shuffled with a seeded
 * Fisher–Yates, so each pre-queued fan keeps exactly one ticket in 1..prequeue, in an order
 * that the seed reproduces. Returns how many fans were pre-queued; opening twice does nothing.
 */
export function openSale(q: QueueState, seed: string, now: number): number {
  if (q.saleOpened) return 0;
  const n = q.last;
  const rng = createPrng(seed);
  const { accounts, seen, flags } = q;
  for (let i = n; i > 1; i--) {
    const j = 1 + rng.below(i);
    if (j === i) continue;
    const a = accounts[i];
    accounts[i] = accounts[j];
    accounts[j] = a;
    const s = seen[i];
    seen[i] = seen[j];
    seen[j] = s;
    const f = flags[i];
    flags[i] = flags[j];
    flags[j] = f;
  }
  for (let t = 1; t <= n; t++) if (accounts[t] !== '') q.byAccount.set(accounts[t], t);
  q.saleOpened = true;
  q.seed = seed;
  q.prequeue = n;
  q.lastAdvance = now;
  q.credit = 0;
  return n;
}

/** Fans with a ticket still ahead of serving. */
export function waiting(q: QueueState): number {
  return q.last - q.serving;
}

export function position(q: QueueState, ticket: number): number {
  return Math.max(0, ticket - q.serving);
}

/** Seconds until a place `ahead` from the front is served; null while admission is stopped. */
export function etaSeconds(ahead: number, rate: number): number | null {
  if (ahead === 0) return 0;
  return rate > 0 ? ahead / rate : null;
}

/** Bytes held by the typed arrays (for metrics and the memory test). */
export function typedBytes(q: QueueState): number {
  return q.seen.byteLength + q.flags.byteLength;
}

/**
 * A flat copy of a string. An id built by concatenation (crypto.randomUUID() makes one) is a
 * rope of dozens of small strings, about 500 bytes; the flat copy of a UUID is 56.
 */
export function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function place(q: QueueState, accountId: string, nowSec: number, flags: number): number {
  const t = ++q.last;
  if (t >= q.seen.length) grow(q, Math.max(q.seen.length * 2, t + 1));
  q.accounts.push(accountId);
  q.seen[t] = nowSec;
  q.flags[t] = flags;
  return t;
}

function grow(q: QueueState, capacity: number): void {
  const seen = new Uint32Array(capacity);
  seen.set(q.seen);
  const flags = new Uint8Array(capacity);
  flags.set(q.flags);
  q.seen = seen;
  q.flags = flags;
}

// ---- recovery ----

export interface SavedRoom extends QueueConfig {
  serving: number;
  saleOpened: boolean;
  seed: string | null;
  prequeue: number;
}

/**
 * Rebuilds a room from what was stored: its settings, its tickets in ticket order (for
 * pre-queued fans the provisional number), and the skipped tickets. The lottery is replayed
 * from its seed. Everyone still waiting gets a fresh grace period (they could not heartbeat
 * while the server was down); tickets already served count as admitted now unless stored as
 * skipped.
 */
export class Restorer {
  private readonly q: QueueState;
  private readonly nowSec: number;

  constructor(
    opts: QueueOptions,
    private readonly saved: SavedRoom,
    private readonly now: number,
  ) {
    this.q = createQueue(opts, now);
    this.q.enabled = saved.enabled;
    this.q.rate = saved.rate;
    this.nowSec = seconds(now);
  }

  add(ticket: number, accountId: string): void {
    const q = this.q;
    this.openIfDue(ticket);
    if (ticket <= q.last) throw new Error(`ticket ${ticket} restored twice or out of order`);
    this.fill(ticket - 1);
    place(q, accountId, this.nowSec, 0);
    q.byAccount.set(accountId, ticket);
  }

  finish(skips: Iterable<number>): QueueState {
    const q = this.q;
    this.openIfDue(Number.POSITIVE_INFINITY);
    this.fill(this.saved.serving);
    q.serving = this.saved.serving;
    for (let t = 1; t <= q.serving; t++) {
      if ((q.flags[t] & SKIPPED) === 0) {
        q.flags[t] = ADMITTED;
        q.seen[t] = this.nowSec;
      }
    }
    for (const t of skips) if (t <= q.serving) q.flags[t] = SKIPPED;
    q.lastAdvance = this.now;
    return q;
  }

  /** Tickets missing from the store (never acknowledged) become skipped holes. */
  private fill(upTo: number): void {
    while (this.q.last < upTo) place(this.q, '', this.nowSec, SKIPPED);
  }

  private openIfDue(nextTicket: number): void {
    const s = this.saved;
    if (!s.saleOpened || this.q.saleOpened || nextTicket <= s.prequeue) return;
    this.fill(s.prequeue);
    openSale(this.q, s.seed ?? '', this.now);
  }
}
