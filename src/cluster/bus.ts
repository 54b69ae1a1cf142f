import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.ts';
import { decodeFrame, encodeFrame, type Frame, type Reply, type Request } from './wire.ts';

// Request/reply between members over Redis pub/sub. Each member listens on its inbox;
// requests to one member in one turn of the event loop go out as one frame (as the event
// handle batches a turn's commands for its actor), replies likewise. Requests are handled in
// the order they arrive, so one gateway's commands to one event keep their order. A request
// unanswered within the timeout, or sent to a member nobody hears, fails with BusError.

export class BusError extends Error {
  constructor(
    readonly code: 'TIMEOUT' | 'NO_ROUTE' | 'CLOSED',
    message: string,
  ) {
    super(message);
  }
}

/** A refusal from the member that handled the request (its code and message cross as data). */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type RequestBody = Request extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export type Handler = (req: Request) => Promise<unknown>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class Bus {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly outReqs = new Map<string, Request[]>();
  private readonly outReps = new Map<string, Reply[]>();
  private flushing = false;
  private closed = false;
  private handler: Handler = async () => {
    throw new RemoteError('NO_HANDLER', 'this member serves no requests yet');
  };

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keys: ClusterKeys,
    readonly me: string,
    private readonly timeoutMs: number,
  ) {}

  async start(handler: Handler): Promise<void> {
    this.handler = handler;
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() === this.keys.inbox(this.me)) this.receive(message);
    });
    await this.sub.subscribe(this.keys.inbox(this.me));
  }

  request(to: string, body: RequestBody): Promise<unknown> {
    if (this.closed) return Promise.reject(new BusError('CLOSED', 'the bus is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new BusError('TIMEOUT', `member ${to} did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.queue(this.outReqs, to, { ...body, id } as Request);
    });
  }

  private queue<T>(out: Map<string, T[]>, to: string, item: T): void {
    let list = out.get(to);
    if (!list) {
      list = [];
      out.set(to, list);
    }
    list.push(item);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    const targets = new Set([...this.outReqs.keys(), ...this.outReps.keys()]);
    for (const to of targets) {
      const reqs = this.outReqs.get(to);
      const reps = this.outReps.get(to);
      const frame: Frame = { from: this.me };
      if (reqs) frame.reqs = reqs;
      if (reps) frame.reps = reps;
      this.pub
        .publish(this.keys.inbox(to), encodeFrame(frame))
        .then((heard) => {
          if (heard === 0 && reqs) this.fail(reqs, new BusError('NO_ROUTE', `member ${to} is not listening`));
        })
        .catch((e: Error) => reqs && this.fail(reqs, new BusError('NO_ROUTE', `Redis: ${e.message}`)));
    }
    this.outReqs.clear();
    this.outReps.clear();
  }

  private fail(reqs: Request[], e: Error): void {
    for (const r of reqs) {
      const p = this.pending.get(r.id);
      if (!p) continue;
      clearTimeout(p.timer);
      this.pending.delete(r.id);
      p.reject(e);
    }
  }

  private receive(message: Buffer): void {
    let frame: Frame;
    try {
      frame = decodeFrame(message);
    } catch {
      return; // not ours to answer: nobody can be told
    }
    for (const rep of frame.reps ?? []) {
      const p = this.pending.get(rep.id);
      if (!p) continue; // timed out already
      clearTimeout(p.timer);
      this.pending.delete(rep.id);
      if (rep.ok) p.resolve(rep.value);
      else p.reject(new RemoteError(rep.code, rep.message));
    }
    // Called in arrival order, each synchronously up to its first await: commands keep their order.
    for (const req of frame.reqs ?? []) {
      this.handler(req).then(
        (value) => this.queue(this.outReps, frame.from, { id: req.id, ok: true, value }),
        (e: Error & { code?: string }) =>
          this.queue(this.outReps, frame.from, {
            id: req.id,
            ok: false,
            code: typeof e.code === 'string' ? e.code : 'INTERNAL',
            message: e.message,
          }),
      );
    }
  }

  close(): void {
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new BusError('CLOSED', 'the bus is closed'));
      this.pending.delete(id);
    }
  }
}
