import { dispatch, type Ref } from 'nact';
import type { Command } from '../domain/commands.ts';
import type { Outcome } from '../domain/outcome.ts';
import type { Envelope, EventPort, Query, QueryArgs, QueryName, QueryResult } from './event-port.ts';
import type { ActorMsg, EventRuntime, EventSpec, PendingQuery } from './event-runtime.ts';

const STOPPED: Outcome = { ok: false, error: { code: 'UNAVAILABLE', message: 'the event is not running' } };

/** Who waits for which outcomes of a message: one command (submitOne) or a run of them. */
interface Waiter {
  start: number;
  count: number;
  many?: (outcomes: Outcome[]) => void;
  one?: (outcome: Outcome) => void;
}

/**
 * The event port of one local event actor. Everything submitted in one turn of the event
 * loop — commands, batches, queries — travels to the actor as one message for the commands
 * and one for the queries. nact runs one message per loop turn (a setImmediate each), and
 * under socket load a turn can take milliseconds: a message per request would queue behind
 * the loop, a message per turn cannot.
 */
export class EventHandle<M = unknown> implements EventPort {
  /** @internal the Directory's: the actor and the runtime it runs now. */
  ref!: Ref<ActorMsg>;
  /** @internal */
  runtime: EventRuntime | undefined;
  private halted = false;
  private pending: Envelope[] = [];
  private waiters: Waiter[] = [];
  private queries: PendingQuery[] = [];
  private scheduled = false;

  constructor(
    readonly spec: EventSpec,
    /** What the spec source said about the event besides the spec (e.g. its chart). */
    readonly meta: M,
  ) {}

  get eventId(): string {
    return this.spec.eventId;
  }

  /** starting: recovering from the journal; ready: serving; stopped: gone for good. */
  get status(): 'starting' | 'ready' | 'stopped' {
    if (this.halted) return 'stopped';
    return this.runtime?.isReady ? 'ready' : 'starting';
  }

  submit(envelopes: Envelope[]): Promise<Outcome[]> {
    if (this.halted) return Promise.resolve(envelopes.map(() => STOPPED));
    return new Promise<Outcome[]>((resolve) => {
      this.waiters.push({ start: this.pending.length, count: envelopes.length, many: resolve });
      for (const e of envelopes) this.pending.push(e);
      this.schedule();
    });
  }

  /**
   * One command; resolves with its outcome once its batch is durable. Not submit([…]): a
   * fan's single hold is the common case, and this spares it an array and a promise.
   */
  submitOne(command: Command, opts: { key?: string; by?: string } = {}): Promise<Outcome> {
    if (this.halted) return Promise.resolve(STOPPED);
    const envelope: Envelope = { command };
    if (opts.key !== undefined) envelope.key = opts.key;
    if (opts.by !== undefined) envelope.by = opts.by;
    return new Promise<Outcome>((one) => {
      this.waiters.push({ start: this.pending.length, count: 1, one });
      this.pending.push(envelope);
      this.schedule();
    });
  }

  query<N extends QueryName>(name: N, args: QueryArgs<N>): Promise<QueryResult<N>> {
    if (this.halted) return Promise.reject(new Error(`event ${this.eventId} is not running`));
    return new Promise((resolve, reject) => {
      this.queries.push({ query: { name, args } as Query, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Resolves when everything submitted so far is durable and a snapshot is saved. */
  drain(): Promise<void> {
    if (this.halted) return Promise.resolve();
    this.send(); // "submitted so far" includes commands still waiting for this turn to end
    return new Promise((done) => dispatch(this.ref, { kind: 'drain', done }));
  }

  /** @internal Marks the handle stopped; later calls answer UNAVAILABLE at once. */
  markStopped(): void {
    this.halted = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  /** Sends this turn's commands, then its queries (which so see the commands' effects). */
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
      if (this.halted) done(envelopes.map(() => STOPPED));
      else dispatch(this.ref, { kind: 'submit', envelopes, done });
    }
    if (this.queries.length > 0) {
      const queries = this.queries;
      this.queries = [];
      if (this.halted) for (const p of queries) p.reject(new Error(`event ${this.eventId} is not running`));
      else dispatch(this.ref, { kind: 'query', queries });
    }
  }
}
