import type { Logger } from 'pino';
import { apply } from '../domain/apply.ts';
import type { Layout } from '../domain/chart.ts';
import type { Command, SaleStatus } from '../domain/commands.ts';
import { decide } from '../domain/decide.ts';
import { evolve } from '../domain/evolve.ts';
import { nextExpiry } from '../domain/holds.ts';
import { type Changes, isRejection, type Outcome } from '../domain/outcome.ts';
import * as q from '../domain/queries.ts';
import { replyOf } from '../domain/replies.ts';
import { encodeState } from '../domain/snapshot.ts';
import { areaAvailable, createState, type EventConfig, type EventState } from '../domain/state.ts';
import type { CommitStream } from './commit-stream.ts';
import { type DurableSeats, type Envelope, type Query, UNAVAILABLE } from './event-port.ts';
import {
  isLegacy,
  type JournalEntry,
  type JournalPort,
  type SnapshotPort,
  type StoredEntry,
} from './ports.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot-envelope.ts';

export type Done = (outcomes: Outcome[]) => void;

export interface PendingQuery {
  query: Query;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Answers a message that will never be handled (its actor stopped for good). */
export function refuse(msg: ActorMsg): void {
  if (msg.kind === 'submit') msg.done(msg.envelopes.map(() => UNAVAILABLE));
  else if (msg.kind === 'query') for (const p of msg.queries) p.reject(new Error('the event is not running'));
  else if (msg.kind === 'drain') msg.done();
}

/** Messages an event actor handles; every mutation of the state arrives as one of them. */
export type ActorMsg =
  | { kind: 'submit'; envelopes: Envelope[]; done: Done }
  | { kind: 'expire' }
  | { kind: 'query'; queries: PendingQuery[] }
  | { kind: 'drain'; done: () => void }
  | { kind: 'fatal'; error: Error };

/**
 * What an event is and what the catalog wants of it. The layout and config are fixed for
 * the event's life (the journal numbers seats by the layout); prices and sale are the
 * desired state, which the actor reaches through journaled commands once it has recovered.
 */
export interface EventSpec {
  eventId: string;
  layout: Layout;
  /** Price per category in cents; categories left out are not on sale. */
  prices: Record<string, number>;
  /** The sale the catalog's status implies; default 'open'. */
  sale?: SaleStatus;
  config?: Partial<EventConfig>;
}

export interface RuntimeDeps {
  journal: JournalPort;
  snapshots: SnapshotPort;
  commits: CommitStream;
  log: Logger;
  now?: () => number;
  /** Snapshot after this many events… */
  snapshotEvery?: number;
  /** …or this long after the last snapshot, whichever comes first. */
  snapshotIntervalMs?: number;
  /** Idempotency keys remembered (most recent first out last). */
  idempotencyKeys?: number;
}

interface Batch {
  entries: JournalEntry[];
  replies: { outcomes: Outcome[]; done: Done }[];
  /** What its events changed: evolve writes straight into it, no arrays per command. */
  changes: Changes;
  snapshot: Uint8Array | null;
}

function newBatch(): Batch {
  return { entries: [], replies: [], changes: { deltas: [], areas: [] }, snapshot: null };
}

/** Who the journal names for commands the actor issues itself (expiry, reconciliation). */
const SYSTEM = 'system';

/**
 * One event's live state and the machinery around it. Commands are decided and applied at
 * once and synchronously (no await between reading and writing state: that is the lock),
 * but their replies wait behind an output gate until the journal batch holding their
 * events is durable. One batch is written at a time; everything applied meanwhile forms the
 * next (group commit), so the batch size follows the journal's latency. Committed batches
 * go to the commit stream in order.
 */
export class EventRuntime {
  private state!: EventState;
  /**
   * The seat map as the journal has it: a change shows here only once its batch committed.
   * Fans are shown this (snapshots), so a seat they see held is durably held.
   */
  private durable!: DurableSeats;
  private epoch = 0;
  private ready = false;
  private dead = false;
  private queued: ActorMsg[] = [];
  private open = newBatch();
  private inFlight: Batch | null = null;
  private flushScheduled = false;
  private drains: (() => void)[] = [];
  private expiryTimer: NodeJS.Timeout | null = null;
  private expiryArmedAt = Number.POSITIVE_INFINITY;
  private lastSnapshotVersion = 0;
  private lastSnapshotAt = 0;
  private keys = new Map<string, Outcome>();
  private snapshotSaving: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** When the actor last handled a command or query (ms), for idle shutdown. */
  lastUsed: number;

  constructor(
    readonly spec: EventSpec,
    private readonly deps: RuntimeDeps,
    /** Posts a message to this runtime's own actor. */
    private readonly post: (msg: ActorMsg) => void,
    /** A runtime replacing one that crashed, rather than the event's first in this process. */
    private readonly restarted = false,
  ) {
    this.now = deps.now ?? Date.now;
    this.lastUsed = this.now();
    this.recover().catch((error: Error) => this.fatal(error));
  }

  /** Loads the latest snapshot, evolves the journal after it, then expires overdue holds. */
  private async recover(): Promise<void> {
    const { journal, snapshots, log } = this.deps;
    const { eventId, layout } = this.spec;
    const started = performance.now();
    this.epoch = await journal.claim(eventId);
    const snap = await snapshots.latest(eventId);
    let state: EventState | null = null;
    if (snap) {
      const decoded = decodeSnapshot(layout, snap.bytes);
      state = decoded.state;
      for (const [key, out] of decoded.keys) this.remember(key, out);
    }
    let replayed = 0;
    await journal.read(eventId, state?.version ?? 0, (entries) => {
      // Journals of schema 1 began from a state where unpriced seats were AVAILABLE.
      state ??= this.genesis(entries.length > 0 && isLegacy(entries[0]));
      for (const e of entries) {
        this.replay(state, e);
        replayed++;
      }
    });
    state ??= this.genesis(false);
    if (this.dead) return;
    this.state = state;
    this.lastSnapshotVersion = snap?.version ?? 0;
    this.lastSnapshotAt = this.now();
    // Before expireDue below: its expiry is not durable yet.
    this.durable = {
      version: state.version,
      status: state.status.slice(),
      areas: layout.areas.map((_, i) => areaAvailable(state!, i)),
    };
    this.ready = true;
    log.info(
      {
        eventId,
        epoch: this.epoch,
        version: state.version,
        snapshot: snap?.version ?? null,
        replayed,
        ms: Math.round(performance.now() - started),
      },
      'event recovered',
    );
    this.deps.commits.started(eventId, state.version, this.restarted);
    const queued = this.queued;
    this.queued = [];
    this.expireDue();
    this.reconcile();
    for (const msg of queued) this.handle(msg);
    this.armExpiry();
  }

  private genesis(legacy: boolean): EventState {
    const { layout, prices, config } = this.spec;
    return legacy
      ? createState(layout, prices, config, { unpricedAvailable: true })
      : createState(layout, {}, config, { sale: 'closed' });
  }

  /** Applies one journal entry: a typed event is evolved; a schema-1 command is decided again. */
  private replay(state: EventState, e: StoredEntry): void {
    const id = this.spec.eventId;
    if (e.seq !== state.version + 1) throw new Error(`journal of ${id} has a gap at seq ${e.seq}`);
    if (isLegacy(e)) {
      const out = apply(state, e.command, e.at);
      if (!out.ok) throw new Error(`journal of ${id} does not replay at seq ${e.seq}: ${out.error.code}`);
      if (e.key !== undefined) this.remember(e.key, { ok: true, value: out.value });
      return;
    }
    evolve(state, e.event, { deltas: [], areas: [] });
    if (e.key !== undefined) this.remember(e.key, { ok: true, value: replyOf(state.layout, e.event) });
  }

  /** Brings prices and sale to what the spec asks, as journaled commands. */
  private reconcile(): void {
    const { prices, sale = 'open' } = this.spec;
    const at = this.now();
    const out = this.applyAndRecord({ type: 'setPrices', prices }, undefined, SYSTEM, at);
    if (!out.ok && out.error.code !== 'INVALID_COMMAND')
      this.deps.log.warn({ eventId: this.spec.eventId, error: out.error }, 'event prices not applied');
    if (sale !== this.state.sale)
      this.applyAndRecord({ type: 'setSale', status: sale }, undefined, SYSTEM, at);
    if (this.open.entries.length > 0) this.scheduleFlush();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** True when nothing depends on the actor staying up: no open sale, no live hold, nothing pending. */
  get quiet(): boolean {
    if (!this.ready || this.dead) return false;
    const s = this.state;
    return (
      s.sale !== 'open' &&
      s.sale !== 'presale' &&
      s.holds.size === 0 &&
      this.inFlight === null &&
      this.open.entries.length === 0 &&
      this.open.replies.length === 0
    );
  }

  handle(msg: ActorMsg): void {
    if (msg.kind === 'fatal') throw msg.error;
    if (this.dead) {
      this.settleDead(msg);
      return;
    }
    if (!this.ready) {
      this.queued.push(msg);
      return;
    }
    switch (msg.kind) {
      case 'submit':
        this.lastUsed = this.now();
        try {
          this.submit(msg.envelopes, msg.done);
        } catch (error) {
          // A bug, not a rejection: the state may be torn. Nothing of this message is
          // acknowledged, and the throw makes the supervisor rebuild from durable state.
          msg.done(msg.envelopes.map(() => UNAVAILABLE));
          throw error;
        }
        break;
      case 'expire':
        this.expiryArmedAt = Number.POSITIVE_INFINITY;
        this.expireDue();
        break;
      case 'query':
        this.lastUsed = this.now();
        for (const p of msg.queries) this.answer(p);
        break;
      case 'drain':
        this.drains.push(msg.done);
        this.scheduleFlush();
        break;
    }
    this.armExpiry();
  }

  private answer(p: PendingQuery): void {
    let result: unknown;
    try {
      result = this.result(p.query);
    } catch (error) {
      p.reject(error as Error);
      return;
    }
    p.resolve(result);
  }

  /** A named query's answer: plain data, copied out of the live state. */
  private result(query: Query): unknown {
    const s = this.state;
    const args = query.args as Record<string, string>;
    switch (query.name) {
      case 'availability':
        return q.availability(s);
      case 'seatStatuses': {
        const d = this.durable;
        return { version: d.version, status: d.status.slice(), areas: d.areas.slice() };
      }
      case 'holdsOf':
        return q.holdsOf(s, args.fanId, this.now());
      case 'hold':
        return q.holdOf(s, args.holdId);
      case 'order':
        return q.orderOf(s, args.orderId);
      case 'availableToHold':
        return q.availableToHold(s);
      case 'taken':
        return q.taken(s);
      case 'dump':
        return q.dump(s);
      case 'encodedState':
        return { version: s.version, bytes: encodeState(s) };
      default:
        throw new Error(`unknown query "${String(query.name).slice(0, 64)}"`);
    }
  }

  private submit(envelopes: Envelope[], done: Done): void {
    // One clock reading per message: its commands are applied in the same instant.
    const at = this.now();
    this.expireDue(at);
    const outcomes = new Array<Outcome>(envelopes.length);
    for (let i = 0; i < envelopes.length; i++) {
      const { command, key, by } = envelopes[i];
      const seen = key === undefined ? undefined : this.keys.get(key);
      outcomes[i] = seen ?? this.applyAndRecord(command, key, by, at);
    }
    this.open.replies.push({ outcomes, done });
    this.scheduleFlush();
  }

  /** Decides a command and evolves the state into the open batch; returns what the caller is told. */
  private applyAndRecord(
    command: Command,
    key: string | undefined,
    by: string | undefined,
    at: number,
  ): Outcome {
    const event = decide(this.state, command, at);
    if (isRejection(event)) return event;
    const b = this.open;
    evolve(this.state, event, b.changes);
    const entry: JournalEntry = { seq: this.state.version, at, event };
    if (key !== undefined) entry.key = key;
    if (by !== undefined) entry.by = by;
    b.entries.push(entry);
    const outcome: Outcome = { ok: true, value: replyOf(this.state.layout, event) };
    if (key !== undefined) this.remember(key, outcome);
    return outcome;
  }

  private remember(key: string, out: Outcome): void {
    this.keys.set(key, out);
    if (this.keys.size > (this.deps.idempotencyKeys ?? 100_000)) {
      this.keys.delete(this.keys.keys().next().value as string);
    }
  }

  private expireDue(at = this.now()): void {
    if (nextExpiry(this.state) <= at) {
      this.applyAndRecord({ type: 'expire' }, undefined, SYSTEM, at);
      this.scheduleFlush();
    }
  }

  /** One timer per actor, set for the earliest hold deadline. */
  private armExpiry(): void {
    if (this.dead || !this.ready) return;
    const next = nextExpiry(this.state);
    if (next >= this.expiryArmedAt) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryArmedAt = next;
    this.expiryTimer = setTimeout(() => this.post({ kind: 'expire' }), Math.max(0, next - this.now()) + 1);
    this.expiryTimer.unref();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.dead || this.inFlight) return;
    const batch = this.open;
    if (batch.entries.length === 0) {
      // Replies that only read state: release them in order, nothing to write.
      this.open = newBatch();
      this.release(batch);
      this.settleDrains();
      return;
    }
    this.open = newBatch();
    this.inFlight = batch;
    const now = this.now();
    const since = this.state.version - this.lastSnapshotVersion;
    if (
      since >= (this.deps.snapshotEvery ?? 1_000_000) ||
      (since > 0 && now - this.lastSnapshotAt >= (this.deps.snapshotIntervalMs ?? 30_000))
    ) {
      // Encoded now, while the state is exactly the batch's last version; saved once durable.
      batch.snapshot = encodeSnapshot(this.state, this.keys);
      this.lastSnapshotVersion = this.state.version;
      this.lastSnapshotAt = now;
    }
    const version = this.state.version;
    this.deps.journal.append(this.spec.eventId, this.epoch, batch.entries, this.state.holds.size).then(
      () => this.committed(batch, version),
      (error: Error) => this.fatal(error),
    );
  }

  private committed(batch: Batch, version: number): void {
    if (this.dead) return;
    this.inFlight = null;
    const d = this.durable;
    const { deltas, areas } = batch.changes;
    for (let i = 0; i < deltas.length; i += 2) d.status[deltas[i]] = deltas[i + 1];
    for (let i = 0; i < areas.length; i += 2) d.areas[areas[i]] = areas[i + 1];
    d.version = version;
    this.release(batch);
    this.deps.commits.committed({
      eventId: this.spec.eventId,
      fromVersion: batch.entries[0].seq,
      toVersion: version,
      entries: batch.entries,
      seats: deltas,
      areas,
      committedAt: performance.now(),
    });
    if (batch.snapshot) this.saveSnapshot(version, batch.snapshot);
    if (this.open.replies.length > 0 || this.open.entries.length > 0) this.flush();
    else this.settleDrains();
  }

  private release(batch: Batch): void {
    for (const r of batch.replies) r.done(r.outcomes);
  }

  private saveSnapshot(version: number, bytes: Uint8Array): void {
    this.snapshotSaving = this.snapshotSaving
      .then(() => this.deps.snapshots.save(this.spec.eventId, { version, bytes }))
      .catch((error: Error) =>
        this.deps.log.warn({ err: error, eventId: this.spec.eventId }, 'snapshot not saved'),
      );
  }

  /** Resolves drain requests once nothing is pending and a snapshot of the final state is saved. */
  private settleDrains(): void {
    if (this.drains.length === 0 || this.inFlight || this.open.entries.length > 0) return;
    if (this.state.version > this.lastSnapshotVersion) {
      // Nothing is pending, so the live state is exactly the committed one.
      this.lastSnapshotVersion = this.state.version;
      this.lastSnapshotAt = this.now();
      this.saveSnapshot(this.state.version, encodeSnapshot(this.state, this.keys));
    }
    const drains = this.drains;
    this.drains = [];
    this.snapshotSaving.then(() => {
      for (const d of drains) d();
    });
  }

  /** The journal failed: nothing pending is acknowledged; the actor restarts from durable state. */
  private fatal(error: Error): void {
    if (this.dead) return;
    this.deps.log.error(
      { err: error, eventId: this.spec.eventId },
      'event actor failed; restarting from durable state',
    );
    this.dispose();
    this.post({ kind: 'fatal', error });
  }

  /**
   * Answers a message this dead runtime will never handle. Queries and drains must not be
   * dropped, or their callers wait forever (Directory.close awaits every drain): a query
   * goes back to the actor, which the supervisor resets, so the next runtime answers it;
   * a drain is settled at once, as dispose() settles the drains it already had.
   */
  private settleDead(msg: ActorMsg): void {
    if (msg.kind === 'submit') msg.done(msg.envelopes.map(() => UNAVAILABLE));
    else if (msg.kind === 'query') this.post(msg);
    else if (msg.kind === 'drain') msg.done();
  }

  /** Stops timers and fails every reply not yet released. */
  dispose(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    for (const b of [this.inFlight, this.open]) {
      for (const r of b?.replies ?? []) r.done(r.outcomes.map(() => UNAVAILABLE));
    }
    const queued = this.queued;
    this.queued = [];
    for (const msg of queued) this.settleDead(msg);
    this.inFlight = null;
    this.open = newBatch();
    const drains = this.drains;
    this.drains = [];
    for (const d of drains) d();
  }
}
