import { dispatch, type Ref, spawn, start, stop } from 'nact';
import type { Outcome } from '../domain/outcome.ts';
import type { EventState } from '../domain/state.ts';
import {
  type ActorMsg,
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
 * How the rest of the server talks to one event actor. Commands submitted in the same turn
 * of the event loop travel to the actor as one message, so nact's per-message cost is paid
 * per batch, not per command.
 */
export class EventHandle {
  ref!: Ref<ActorMsg>;
  runtime: EventRuntime | undefined;
  stopped = false;
  private pending: Envelope[] = [];
  private waiters: ((o: Outcome) => void)[] = [];
  private scheduled = false;

  constructor(readonly eventId: string) {}

  submit(command: Envelope['command'], key?: string): Promise<Outcome> {
    return new Promise((resolve) => {
      this.pending.push(key === undefined ? { command } : { command, key });
      this.waiters.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const envelopes = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    this.submitMany(envelopes).then((outcomes) => {
      for (let i = 0; i < waiters.length; i++) waiters[i](outcomes[i]);
    });
  }

  /** Sends a batch as one actor message; resolves when its batch is durable. */
  submitMany(envelopes: Envelope[]): Promise<Outcome[]> {
    if (this.stopped) {
      return Promise.resolve(
        envelopes.map(
          () =>
            ({ ok: false, error: { code: 'UNAVAILABLE', message: 'the event is not running' } }) as Outcome,
        ),
      );
    }
    return new Promise((done) => dispatch(this.ref, { kind: 'submit', envelopes, done }));
  }

  /** Runs `fn` inside the actor, between commands, and returns its result. */
  read<T>(fn: (state: EventState) => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(`event ${this.eventId} is not running`));
    this.send(); // commands submitted before this read reach the actor before it
    return new Promise((resolve, reject) =>
      dispatch(this.ref, {
        kind: 'read',
        fn: (s) => {
          try {
            resolve(fn(s));
          } catch (e) {
            reject(e);
          }
        },
        fail: reject,
      }),
    );
  }

  /** Resolves when everything submitted so far is durable and a snapshot is saved. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.send(); // "submitted so far" includes commands still waiting for this turn to end
    return new Promise((done) => dispatch(this.ref, { kind: 'drain', done }));
  }
}
