import { dispatch, type Ref, spawn, start, stop } from 'nact';
import { CommitStream } from './commit-stream.ts';
import { EventHandle } from './event-handle.ts';
import { type ActorMsg, EventRuntime, type EventSpec, type RuntimeDeps, refuse } from './event-runtime.ts';
import { FencingError } from './ports.ts';

/** Restarts allowed within the window before a crashing actor is stopped for good. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/** Where an event's spec comes from when it is first used; null: no such event (or a draft). */
export type SpecSource<M> = (eventId: string) => Promise<{ spec: EventSpec; meta: M } | null>;

export interface DirectoryOptions<M> {
  /** Opens events on first use (`event(id)`). */
  specs?: SpecSource<M>;
  /** A quiet actor (no open sale, no live hold) unused this long is stopped; 0: never. */
  idleMs?: number;
  /** How often idle actors are looked for. */
  sweepMs?: number;
  /** Keeps an actor up although quiet (e.g. fans watching its seat map). */
  keepAlive?: (eventId: string) => boolean;
}

/**
 * The actor system: one nact actor per running event, found by event id, started on first
 * use from the spec source (or explicitly with `open`) and stopped when idle. The nact state
 * of an event actor is its EventRuntime. A crash (a throw while handling a message, or a
 * journal failure) resets the actor, and a fresh runtime recovers from the last durable state.
 */
export class Directory<M = unknown> {
  /** Every committed batch of every event, in order per event. */
  readonly commits: CommitStream;
  private readonly system = start();
  private readonly events = new Map<string, EventHandle<M>>();
  private readonly opening = new Map<string, Promise<EventHandle<M> | null>>();
  private readonly deps: RuntimeDeps;
  private readonly sweeper: NodeJS.Timeout | null;
  private spawned = 0;
  private closed = false;

  constructor(
    deps: Omit<RuntimeDeps, 'commits'>,
    private readonly opts: DirectoryOptions<M> = {},
  ) {
    this.commits = new CommitStream(deps.journal, deps.log);
    this.deps = { ...deps, commits: this.commits };
    const idle = opts.idleMs ?? 0;
    this.sweeper = idle > 0 ? setInterval(() => this.sweep(idle), opts.sweepMs ?? 30_000) : null;
    this.sweeper?.unref();
  }

  /** Starts an event's actor (it recovers from the journal in the background). */
  open(spec: EventSpec, meta?: M): EventHandle<M> {
    if (this.closed) throw new Error('the directory is closed');
    if (this.events.has(spec.eventId)) throw new Error(`event ${spec.eventId} is already open`);
    const handle = new EventHandle<M>(spec, meta as M);
    const { log } = this.deps;
    const restarts: number[] = [];
    const ref = spawn(
      this.system,
      (runtime: EventRuntime, msg: ActorMsg) => {
        runtime.handle(msg);
        return runtime;
      },
      // Unique per start: an event stopped when idle may start again later.
      `${spec.eventId}.${++this.spawned}`,
      {
        initialStateFunc: (ctx) => {
          const restarted = handle.runtime !== undefined;
          handle.runtime?.dispose();
          handle.runtime = new EventRuntime(
            spec,
            this.deps,
            (m) => (handle.status === 'stopped' ? refuse(m) : dispatch(ctx.self, m)),
            restarted,
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
            handle.markStopped();
            if (this.events.get(spec.eventId) === handle) this.events.delete(spec.eventId);
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

  /**
   * The event's handle, starting its actor from the spec source if it is not running.
   * Null when the source knows no such event. Concurrent calls share one start.
   */
  event(eventId: string): Promise<EventHandle<M> | null> {
    const running = this.events.get(eventId);
    if (running) return Promise.resolve(running);
    let p = this.opening.get(eventId);
    if (!p) {
      const source = this.opts.specs;
      if (!source || this.closed) return Promise.resolve(null);
      p = source(eventId)
        .then((found) => {
          if (!found || this.closed) return null;
          return this.events.get(eventId) ?? this.open(found.spec, found.meta);
        })
        .finally(() => this.opening.delete(eventId));
      this.opening.set(eventId, p);
    }
    return p;
  }

  /**
   * The handle if the event is running or starting (then once started), else null. What a
   * caller sends it is applied after the actor reconciled with the spec it started from,
   * so a change made while it was starting is never lost.
   */
  async running(eventId: string): Promise<EventHandle<M> | null> {
    return this.events.get(eventId) ?? (await this.opening.get(eventId)) ?? null;
  }

  /** A running (or starting) event's handle, without starting anything. */
  get(eventId: string): EventHandle<M> | undefined {
    return this.events.get(eventId);
  }

  /** Ids of the events whose actors run now. */
  ids(): string[] {
    return [...this.events.keys()];
  }

  /** True when every running actor has recovered. */
  ready(): boolean {
    for (const h of this.events.values()) if (h.status !== 'ready') return false;
    return true;
  }

  /** Drains one event (journal flushed, snapshot saved) and stops its actor. */
  async stop(eventId: string): Promise<void> {
    const h = this.events.get(eventId);
    if (!h) return;
    await h.drain();
    if (this.events.get(eventId) !== h) return;
    this.events.delete(eventId);
    h.markStopped();
    h.runtime?.dispose();
    stop(h.ref);
    this.deps.log.info({ eventId }, 'event actor stopped (idle)');
  }

  private sweep(idleMs: number): void {
    const now = (this.deps.now ?? Date.now)();
    for (const [id, h] of this.events) {
      const r = h.runtime;
      if (!r?.quiet || now - r.lastUsed < idleMs) continue;
      if (this.opts.keepAlive?.(id)) continue;
      this.stop(id).catch((err) => this.deps.log.warn({ err, eventId: id }, 'idle stop failed'));
    }
  }

  /** Flushes every event's journal, writes final snapshots, then stops the actors. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled([...this.opening.values()]);
    const handles = [...this.events.values()];
    await Promise.all(handles.map((h) => h.drain()));
    for (const h of handles) {
      h.runtime?.dispose();
      h.markStopped();
    }
    this.events.clear();
    this.commits.close();
    stop(this.system);
  }
}
