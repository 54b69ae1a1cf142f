import type { Logger } from 'pino';
import { isLegacy, type JournalEntry, type JournalPort } from './ports.ts';

// The commit stream: every journal batch that became durable, handed in version order to
// whoever builds something from it — the live seat map, orders, tickets, other processes.
// An actor never waits for a subscriber, and a subscriber that throws does not stop it.

/** Events of one event, versions fromVersion..toVersion, in order. */
export interface EventBatch {
  eventId: string;
  fromVersion: number;
  toVersion: number;
  entries: readonly JournalEntry[];
}

/** A batch as the actor commits it, with what it changed on the seat map. */
export interface CommittedBatch extends EventBatch {
  /** Flat (seat number, new status) pairs, in the order the events changed them. */
  seats: readonly number[];
  /** Flat (area number, places available) pairs. */
  areas: readonly number[];
  /** When the batch became durable (performance.now() ms). */
  committedAt: number;
}

/**
 * Hears batches as they commit, synchronously, from the actor's own turn: for in-memory
 * views (the seat-delta feed). It misses nothing while its process runs, and learns of every
 * (re)start so it can resynchronise what it built.
 */
export interface LiveSubscriber {
  readonly name: string;
  /**
   * The event's actor started at `version`; batches follow from version + 1. `restarted`:
   * it crashed and recovered from durable state (what was built from batches the stream
   * never handed out may be wrong), not a first start in this process.
   */
  started?(eventId: string, version: number, restarted: boolean): void;
  committed(batch: CommittedBatch): void;
  /**
   * `committed` threw on versions from..to of the event. Later batches still come; what
   * the subscriber built is now behind by that batch: resume by resynchronising at `to`.
   */
  failed?(eventId: string, from: number, to: number, error: unknown): void;
}

/**
 * Keeps a durable projection (orders, tickets) in step with the journal. It says how far it
 * got; the stream hands it every batch after that, from the journal first if it fell behind
 * (a crash, a restart, a failure), then live. `apply` must be idempotent: after a crash a
 * batch it applied may come again. A failed `apply` is retried, from the checkpoint, with
 * backoff.
 */
export interface DurableSubscriber {
  readonly name: string;
  /** The last version of the event this subscriber has applied (0: none). */
  checkpoint(eventId: string): Promise<number>;
  apply(batch: EventBatch): Promise<void>;
}

interface Pipe {
  /** Last version applied (as far as this process knows). */
  done: number;
  /** Highest version known to be committed. */
  known: number;
  /** Live batches waiting their turn while the pipe is busy. */
  queue: EventBatch[];
  busy: boolean;
  /** Set after a failure: the next run starts from the checkpoint. */
  dirty: boolean;
  retryMs: number;
  timer: NodeJS.Timeout | null;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
const MAX_QUEUE = 10_000;
/** Most events handed to a durable subscriber at once. */
const MAX_MERGED = 5_000;

export class CommitStream {
  private readonly live = new Set<LiveSubscriber>();
  private readonly durable = new Map<DurableSubscriber, Map<string, Pipe>>();
  private closed = false;

  constructor(
    private readonly journal: JournalPort,
    private readonly log: Logger,
  ) {}

  subscribe(sub: LiveSubscriber): () => void {
    this.live.add(sub);
    return () => this.live.delete(sub);
  }

  follow(sub: DurableSubscriber): () => void {
    this.durable.set(sub, new Map());
    return () => {
      for (const p of this.durable.get(sub)?.values() ?? []) if (p.timer) clearTimeout(p.timer);
      this.durable.delete(sub);
    };
  }

  /** An actor recovered at `version`: live subscribers restart, durable ones catch up. */
  started(eventId: string, version: number, restarted: boolean): void {
    for (const sub of this.live) {
      try {
        sub.started?.(eventId, version, restarted);
      } catch (error) {
        this.log.error({ err: error, eventId, subscriber: sub.name }, 'commit subscriber failed on start');
      }
    }
    for (const [sub, pipes] of this.durable) {
      const p = this.pipe(pipes, eventId);
      p.queue = [];
      // A new event has no past to catch up on: no checkpoint to read (a start-up opens
      // hundreds of actors, most of them new).
      if (version === 0 && p.known === 0) {
        p.done = 0;
        p.dirty = false;
        continue;
      }
      p.known = Math.max(p.known, version);
      p.dirty = true; // whatever it had in memory, the checkpoint says where it really is
      this.run(sub, eventId, p);
    }
  }

  /** A batch became durable: every subscriber hears of it, in order. */
  committed(batch: CommittedBatch): void {
    for (const sub of this.live) {
      try {
        sub.committed(batch);
      } catch (error) {
        this.log.error(
          { err: error, eventId: batch.eventId, subscriber: sub.name, from: batch.fromVersion },
          'commit subscriber failed; it resumes with the next batch',
        );
        try {
          sub.failed?.(batch.eventId, batch.fromVersion, batch.toVersion, error);
        } catch {}
      }
    }
    for (const [sub, pipes] of this.durable) {
      const p = this.pipe(pipes, batch.eventId);
      p.known = Math.max(p.known, batch.toVersion);
      // While a subscriber is stuck its queue would grow without end: past a bound the
      // journal, which has everything, takes over.
      if (p.queue.length < MAX_QUEUE) p.queue.push(batch);
      else {
        p.queue = [];
        p.dirty = true;
      }
      this.run(sub, batch.eventId, p);
    }
  }

  /**
   * Brings a durable subscriber up to date on an event from the journal alone, as far as it
   * goes (for events whose actor is not running, e.g. after a restart). Resolves when done.
   */
  async catchUp(sub: DurableSubscriber, eventId: string): Promise<void> {
    const pipes = this.durable.get(sub);
    if (!pipes) throw new Error(`${sub.name} does not follow the commit stream`);
    const p = this.pipe(pipes, eventId);
    p.known = Number.POSITIVE_INFINITY;
    p.dirty = true;
    // Wait for a run already under way, then run (busy pipes return at once).
    while (p.busy) await new Promise((r) => setTimeout(r, 5));
    await this.run(sub, eventId, p);
    if (p.dirty) throw new Error(`${sub.name} could not catch up on ${eventId}`);
  }

  close(): void {
    this.closed = true;
    for (const pipes of this.durable.values())
      for (const p of pipes.values()) if (p.timer) clearTimeout(p.timer);
  }

  private pipe(pipes: Map<string, Pipe>, eventId: string): Pipe {
    let p = pipes.get(eventId);
    if (!p) {
      p = { done: 0, known: 0, queue: [], busy: false, dirty: true, retryMs: FIRST_RETRY_MS, timer: null };
      pipes.set(eventId, p);
    }
    return p;
  }

  /** Applies what is due, one batch at a time; only one run per pipe at once. */
  private async run(sub: DurableSubscriber, eventId: string, p: Pipe): Promise<void> {
    if (p.busy || this.closed) return;
    p.busy = true;
    try {
      for (;;) {
        if (p.dirty) {
          p.done = await sub.checkpoint(eventId);
          if (p.done < p.known) await this.fromJournal(sub, eventId, p);
          p.known = p.done;
          p.dirty = false;
        }
        const batch = p.queue.shift();
        if (!batch) break;
        p.known = Math.max(p.known, batch.toVersion);
        if (batch.toVersion <= p.done) continue;
        // Something was missed (the subscriber joined mid-stream): the journal has it.
        if (batch.fromVersion > p.done + 1) {
          p.queue.unshift(batch);
          p.dirty = true;
          continue;
        }
        const merged = mergeQueued(trimmed(batch, p.done), p.queue);
        await sub.apply(merged);
        p.done = merged.toVersion;
      }
      p.retryMs = FIRST_RETRY_MS;
    } catch (error) {
      p.dirty = true;
      p.queue = [];
      this.log.error(
        { err: error, eventId, subscriber: sub.name, resumeAfter: p.done, retryMs: p.retryMs },
        'commit subscriber failed; it resumes from its checkpoint',
      );
      if (!this.closed && !p.timer) {
        p.timer = setTimeout(() => {
          p.timer = null;
          this.run(sub, eventId, p);
        }, p.retryMs);
        p.timer.unref();
      }
      p.retryMs = Math.min(p.retryMs * 2, MAX_RETRY_MS);
    } finally {
      p.busy = false;
    }
  }

  private async fromJournal(sub: DurableSubscriber, eventId: string, p: Pipe): Promise<void> {
    const chunks: JournalEntry[][] = [];
    let last = p.done;
    await this.journal.read(eventId, p.done, (entries) => {
      // Batches of journal schema 1 hold commands, from before any projection existed:
      // nothing in them is for a subscriber, so they are passed over.
      const typed = entries.filter((e) => !isLegacy(e)) as JournalEntry[];
      if (typed.length > 0) chunks.push(typed);
      last = entries[entries.length - 1].seq;
    });
    // Journal rows are the actor's group-commit batches; a projection catching up takes them
    // MAX_MERGED events at a time (one transaction of its own each, not one per row).
    for (let i = 0; i < chunks.length; ) {
      const entries: JournalEntry[] = [];
      while (i < chunks.length && (entries.length === 0 || entries.length + chunks[i].length <= MAX_MERGED))
        for (const e of chunks[i++]) entries.push(e);
      const batch: EventBatch = {
        eventId,
        fromVersion: entries[0].seq,
        toVersion: entries[entries.length - 1].seq,
        entries,
      };
      await sub.apply(batch);
      p.done = batch.toVersion;
    }
    p.done = Math.max(p.done, last);
  }
}

/**
 * The batch and the queued batches that follow it without a gap, as one, up to MAX_MERGED
 * events: a projection that fell behind the actor applies what piled up in one transaction
 * instead of one per batch, so it catches up instead of falling further behind.
 */
function mergeQueued(first: EventBatch, queue: EventBatch[]): EventBatch {
  if (queue.length === 0 || queue[0].fromVersion !== first.toVersion + 1) return first;
  const entries = [...first.entries];
  let toVersion = first.toVersion;
  while (
    queue.length > 0 &&
    queue[0].fromVersion === toVersion + 1 &&
    entries.length + queue[0].entries.length <= MAX_MERGED
  ) {
    const next = queue.shift()!;
    for (const e of next.entries) entries.push(e);
    toVersion = next.toVersion;
  }
  return { eventId: first.eventId, fromVersion: first.fromVersion, toVersion, entries };
}

/** The part of a batch after version `done`. */
function trimmed(batch: EventBatch, done: number): EventBatch {
  if (batch.fromVersion > done) return batch;
  return {
    eventId: batch.eventId,
    fromVersion: done + 1,
    toVersion: batch.toVersion,
    entries: batch.entries.filter((e) => e.seq > done),
  };
}
