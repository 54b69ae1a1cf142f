import type { Logger } from 'pino';
import { apply } from '../domain/apply.ts';
import type { Layout } from '../domain/chart.ts';
import type { Command } from '../domain/commands.ts';
import { nextExpiry } from '../domain/holds.ts';
import type { Outcome } from '../domain/outcome.ts';
import { areaAvailable, createState, type EventConfig, type EventState } from '../domain/state.ts';
import { DeltaCoalescer } from './delta-coalescer.ts';
import type { DeltaSink, JournalEntry, JournalPort, SnapshotPort } from './ports.ts';
import { decodeSnapshot, encodeSnapshot } from './snapshot-envelope.ts';

export interface Envelope {
  command: Command;
  /** Idempotency key: a retried command with the same key gets the first outcome. */
  key?: string;
}

export type Done = (outcomes: Outcome[]) => void;

/** Every seat's status and every area's places available, at a version. */
export interface DurableSeats {
  version: number;
  /** One status per seat number. */
  status: Uint8Array;
  areas: number[];
}

/** Answers a message that will never be handled (its actor stopped for good). */
export function refuse(msg: ActorMsg): void {
  if (msg.kind === 'submit') msg.done(msg.envelopes.map(() => UNAVAILABLE));
  else if (msg.kind === 'read') msg.fail(new Error('the event is not running'));
  else if (msg.kind === 'drain') msg.done();
}

/** Messages an event actor handles; every mutation of the state arrives as one of them. */
export type ActorMsg =
  | { kind: 'submit'; envelopes: Envelope[]; done: Done }
  | { kind: 'expire' }
  | { kind: 'read'; fn: (state: EventState) => void; fail: (error: Error) => void }
  | { kind: 'drain'; done: () => void }
  | { kind: 'fatal'; error: Error };

export interface EventSpec {
  eventId: string;
  layout: Layout;
  prices: Record<string, number>;
  config?: Partial<EventConfig>;
}

export interface RuntimeDeps {
  journal: JournalPort;
  snapshots: SnapshotPort;
  deltas: DeltaSink;
  log: Logger;
  now?: () => number;
  /** Delta coalescing period. */
  tickMs?: number;
  /** Snapshot after this many commands… */
  snapshotEvery?: number;
  /** …or this long after the last snapshot, whichever comes first. */
  snapshotIntervalMs?: number;
  /** Idempotency keys remembered (most recent first out last). */
  idempotencyKeys?: number;
}

interface Batch {
  entries: JournalEntry[];
  replies: { outcomes: Outcome[]; done: Done }[];
  seats: number[];
  areas: number[];
  snapshot: Uint8Array | null;
}

const UNAVAILABLE: Outcome = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'the command could not be made durable; retry with the same key' },
};

function newBatch(): Batch {
  return { entries: [], replies: [], seats: [], areas: [], snapshot: null };
}

/**
 * One event's live state and the machinery around it. Commands are applied at once and
 * synchronously (no await between reading and writing state: that is the lock), but their
 * replies and seat deltas wait behind an output gate until the journal batch holding them
 * is durable. One batch is written at a time; everything applied meanwhile forms the next
 * (group commit), so the batch size follows the journal's latency.
 */
export class EventRuntime {
  state!: EventState;
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
  private coalescer!: DeltaCoalescer;
  private tickTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private expiryArmedAt = Number.POSITIVE_INFINITY;
  private lastSnapshotVersion = 0;
  private lastSnapshotAt = 0;
  private keys = new Map<string, Outcome>();
  private snapshotSaving: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    readonly spec: EventSpec,
    private readonly deps: RuntimeDeps,
    /** Posts a message to this runtime's own actor. */
    private readonly post: (msg: ActorMsg) => void,
  ) {
    this.now = deps.now ?? Date.now;
    this.recover().catch((error: Error) => this.fatal(error));
  }

  /** Loads the latest snapshot, replays the journal after it, then expires overdue holds. */
  private async recover(): Promise<void> {
    const { journal, snapshots, log } = this.deps;
    const { eventId, layout } = this.spec;
    const started = performance.now();
    this.epoch = await journal.claim(eventId);
    const snap = await snapshots.latest(eventId);
    let state: EventState;
    if (snap) {
      const decoded = decodeSnapshot(layout, snap.bytes);
      state = decoded.state;
      for (const [key, out] of decoded.keys) this.remember(key, out);
    } else {
      state = createState(layout, this.spec.prices, this.spec.config);
    }
    let replayed = 0;
    await journal.read(eventId, state.version, (entries) => {
      for (const e of entries) {
        const out = apply(state, e.command, e.at);
        if (!out.ok || state.version !== e.seq) {
          throw new Error(
            `journal of ${eventId} does not replay at seq ${e.seq}: ${out.ok ? 'gap' : out.error.code}`,
          );
        }
        if (e.key !== undefined) this.remember(e.key, out);
        replayed++;
      }
    });
    if (this.dead) return;
    this.state = state;
    this.lastSnapshotVersion = snap?.version ?? 0;
    this.lastSnapshotAt = this.now();
    this.coalescer = new DeltaCoalescer(eventId, layout.seatCount, state.version);
    // Before expireDue below: its expiry is not durable yet.
    this.durable = {
      version: state.version,
      status: state.status.slice(),
      areas: layout.areas.map((_, i) => areaAvailable(state, i)),
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
    this.deps.deltas.reset(eventId, state.version);
    this.tickTimer = setInterval(() => this.tick(), this.deps.tickMs ?? 50);
    this.tickTimer.unref();
    const queued = this.queued;
    this.queued = [];
    this.expireDue();
    for (const msg of queued) this.handle(msg);
    this.armExpiry();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** A copy of the durable seat map (call inside the actor, e.g. from EventHandle.read). */
  durableSeats(): DurableSeats {
    const d = this.durable;
    return { version: d.version, status: d.status.slice(), areas: d.areas.slice() };
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
      case 'read':
        msg.fn(this.state);
        break;
      case 'drain':
        this.drains.push(msg.done);
        this.scheduleFlush();
        break;
    }
    this.armExpiry();
  }

  private submit(envelopes: Envelope[], done: Done): void {
    // One clock reading per message: its commands are applied in the same instant.
    const at = this.now();
    this.expireDue(at);
    const outcomes = new Array<Outcome>(envelopes.length);
    for (let i = 0; i < envelopes.length; i++) {
      const { command, key } = envelopes[i];
      const seen = key === undefined ? undefined : this.keys.get(key);
      outcomes[i] = seen ?? this.applyAndRecord(command, key, at);
    }
    this.open.replies.push({ outcomes, done });
    this.scheduleFlush();
  }

  private applyAndRecord(command: Command, key: string | undefined, at: number): Outcome {
    const out = apply(this.state, command, at);
    if (out.ok) {
      const b = this.open;
      b.entries.push(
        key === undefined
          ? { seq: this.state.version, at, command }
          : { seq: this.state.version, at, command, key },
      );
      for (const x of out.deltas) b.seats.push(x);
      for (const x of out.areas) b.areas.push(x);
      if (key !== undefined) this.remember(key, out);
    }
    return out;
  }

  private remember(key: string, out: Outcome): void {
    this.keys.set(key, out);
    if (this.keys.size > (this.deps.idempotencyKeys ?? 100_000)) {
      this.keys.delete(this.keys.keys().next().value as string);
    }
  }

  private expireDue(at = this.now()): void {
    if (nextExpiry(this.state) <= at) {
      this.applyAndRecord({ type: 'expire' }, undefined, at);
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
    this.deps.journal.append(this.spec.eventId, this.epoch, batch.entries).then(
      () => this.committed(batch, version),
      (error: Error) => this.fatal(error),
    );
  }

  private committed(batch: Batch, version: number): void {
    if (this.dead) return;
    this.inFlight = null;
    const d = this.durable;
    for (let i = 0; i < batch.seats.length; i += 2) d.status[batch.seats[i]] = batch.seats[i + 1];
    for (let i = 0; i < batch.areas.length; i += 2) d.areas[batch.areas[i]] = batch.areas[i + 1];
    d.version = version;
    this.coalescer.add(batch.seats, batch.areas, version, performance.now());
    this.release(batch);
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
    this.tick();
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

  private tick(): void {
    if (!this.ready || this.dead) return;
    const batch = this.coalescer.take();
    if (batch) this.deps.deltas.publish(batch);
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
   * Answers a message this dead runtime will never handle. Reads and drains must not be
   * dropped, or their callers wait forever (Directory.close awaits every drain): a read
   * goes back to the actor, which the supervisor resets, so the next runtime answers it;
   * a drain is settled at once, as dispose() settles the drains it already had.
   */
  private settleDead(msg: ActorMsg): void {
    if (msg.kind === 'submit') msg.done(msg.envelopes.map(() => UNAVAILABLE));
    else if (msg.kind === 'read') this.post(msg);
    else if (msg.kind === 'drain') msg.done();
  }

  /** Stops timers and fails every reply not yet released. */
  dispose(): void {
    if (this.dead) return;
    this.dead = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
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
