import { dispatch, type Ref, spawn, start, stop } from 'nact';
import type { Outcome } from '../domain/outcome.ts';
import type { EventState } from '../domain/state.ts';
import {
  type ActorMsg,
  type DurableSeats,
  type Envelope,
  EventRuntime,
  type EventSpec,
  type RuntimeDeps,
  refuse,
} from './event-runtime.ts';
import { FencingError } from './ports.ts';

/** Restarts allowed within the window before a crashing actor is stopped for good. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The actor system: one nact actor per event, found by event id. The nact state of an
 * event actor is its EventRuntime. A crash (a throw while handling a message, or a journal
 * failure) resets the actor, and a fresh runtime recovers from the last durable state.
 */
export class Directory {
  private readonly system = start();
  private readonly events = new Map<string, EventHandle>();

  constructor(private readonly deps: RuntimeDeps) {}

  open(spec: EventSpec): EventHandle {
    if (this.events.has(spec.eventId)) throw new Error(`event ${spec.eventId} is already open`);
    const handle = new EventHandle(spec.eventId);
    const { log } = this.deps;
    const restarts: number[] = [];
    const ref = spawn(
      this.system,
      (runtime: EventRuntime, msg: ActorMsg) => {
        runtime.handle(msg);
        return runtime;
      },
      spec.eventId,
      {
        initialStateFunc: (ctx) => {
          handle.runtime?.dispose();
          handle.runtime = new EventRuntime(spec, this.deps, (m) =>
            handle.stopped ? refuse(m) : dispatch(ctx.self, m),
          );
          return handle.runtime;
        },
        onCrash: (_msg, error, ctx) => {
          const now = Date.now();
          restarts.push(now);
          while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
          handle.runtime?.dispose();
          // Fenced off: another process owns the event now. Claiming it back would only
          // fence that owner in turn; this one steps down instead.
          const fenced = error instanceof FencingError;
          if (fenced || restarts.length > MAX_RESTARTS) {
            log.error(
              { err: error, eventId: spec.eventId },
              fenced ? 'event taken over by another owner; stopped' : 'event actor keeps crashing; stopped',
            );
            handle.stopped = true;
            this.events.delete(spec.eventId);
            // What already waits in the mailbox will never run: answer it now.
            for (const item of ctx.mailbox as unknown as ({ message: ActorMsg } | ActorMsg)[]) {
              refuse('message' in item ? item.message : item);
            }
            return ctx.stop;
          }
          log.warn({ err: error, eventId: spec.eventId }, 'event actor crashed; restarting');
          return ctx.reset;
        },
      },
    ) as Ref<ActorMsg>;
    handle.ref = ref;
    this.events.set(spec.eventId, handle);
    return handle;
  }

  get(eventId: string): EventHandle | undefined {
    return this.events.get(eventId);
  }

  ids(): string[] {
    return [...this.events.keys()];
  }

  /** Flushes every event's journal, writes final snapshots, then stops the actors. */
  async close(): Promise<void> {
    const handles = [...this.events.values()];
    await Promise.all(handles.map((h) => h.drain()));
    for (const h of handles) {
      h.runtime?.dispose();
      h.stopped = true;
    }
    this.events.clear();
    stop(this.system);
  }
}

/**
 * How the rest of the server talks to one event actor. Everything submitted in one turn of
 * the event loop — single commands, batches, reads — travels to the actor as one message
 * for the commands and one for the reads. nact runs one message per loop turn (a
 * setImmediate each), and under socket load a turn can take milliseconds: a message per
 * request would queue behind the loop, a message per turn cannot.
 */
export class EventHandle {
  ref!: Ref<ActorMsg>;
  runtime: EventRuntime | undefined;
  stopped = false;
  private pending: Envelope[] = [];
  /** Who waits for which outcomes of `pending`: one (submit) or a run of them (submitMany). */
  private waiters: Waiter[] = [];
  private reads: { fn: (state: EventState) => void; fail: (error: Error) => void }[] = [];
  private scheduled = false;

  constructor(readonly eventId: string) {}

  submit(command: Envelope['command'], key?: string): Promise<Outcome> {
    if (this.stopped) return Promise.resolve(STOPPED);
    return new Promise((resolve) => {
      this.waiters.push({ start: this.pending.length, count: 0, one: resolve });
      this.pending.push(key === undefined ? { command } : { command, key });
      this.schedule();
    });
  }

  /** Applies the commands in order; resolves with their outcomes once their batch is durable. */
  submitMany(envelopes: Envelope[]): Promise<Outcome[]> {
    if (this.stopped) return Promise.resolve(envelopes.map(() => STOPPED));
    return new Promise((resolve) => {
      this.waiters.push({ start: this.pending.length, count: envelopes.length, many: resolve });
      for (const e of envelopes) this.pending.push(e);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  /** Sends this turn's commands, then its reads (which so see the commands' effects). */
  private send(): void {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const envelopes = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      const done = (outcomes: Outcome[]) => {
        for (const w of waiters) {
          if (w.one) w.one(outcomes[w.start]);
          else w.many?.(w.count === outcomes.length ? outcomes : outcomes.slice(w.start, w.start + w.count));
        }
      };
      if (this.stopped) done(envelopes.map(() => STOPPED));
      else dispatch(this.ref, { kind: 'submit', envelopes, done });
    }
    if (this.reads.length > 0) {
      const reads = this.reads;
      this.reads = [];
      if (this.stopped) for (const r of reads) r.fail(new Error(`event ${this.eventId} is not running`));
      else
        dispatch(this.ref, {
          kind: 'read',
          fn: (s) => {
            for (const r of reads) r.fn(s);
          },
          fail: (e) => {
            for (const r of reads) r.fail(e);
          },
        });
    }
  }

  /** Runs `fn` inside the actor, between commands, and returns its result. */
  read<T>(fn: (state: EventState) => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(`event ${this.eventId} is not running`));
    return new Promise((resolve, reject) => {
      this.reads.push({
        fn: (s) => {
          try {
            resolve(fn(s));
          } catch (e) {
            reject(e);
          }
        },
        fail: reject,
      });
      this.schedule();
    });
  }

  /** The seat map as durable in the journal (what fans are shown), at its version. */
  durableSeats(): Promise<DurableSeats> {
    // The read runs inside the actor, on the runtime that handles it (a restarted one too).
    return this.read(() => this.runtime!.durableSeats());
  }

  /** Resolves when everything submitted so far is durable and a snapshot is saved. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.send(); // "submitted so far" includes commands still waiting for this turn to end
    return new Promise((done) => dispatch(this.ref, { kind: 'drain', done }));
  }
}

interface Waiter {
  start: number;
  count: number;
  one?: (outcome: Outcome) => void;
  many?: (outcomes: Outcome[]) => void;
}

const STOPPED: Outcome = { ok: false, error: { code: 'UNAVAILABLE', message: 'the event is not running' } };
