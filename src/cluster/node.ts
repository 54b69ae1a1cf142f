import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Envelope, QueryName, SeatPort } from '../actors/event-port.ts';
import { AppError } from '../errors.ts';
import { Bus, BusError, RemoteError } from './bus.ts';
import { type ClusterKeys, clusterKeys } from './keys.ts';
import { Leases } from './lease.ts';
import { type MemberInfo, Membership } from './membership.ts';
import { placeEvent } from './placement.ts';
import { type OwnerCalls, RemoteEventPort } from './remote-port.ts';
import type { Request } from './wire.ts';

// One member of the cluster: its heartbeat, the leases of the events it runs, and the bus.
// An event runs on exactly one member, the holder of its lease; every other member reaches
// it through a remote port. A member that finds no owner places the event by rendezvous
// hashing over the live members and asks the chosen one to take it (or takes it itself when
// that one does not answer). Leases are renewed every third of their TTL; a member that
// cannot renew one steps down from that event. The journal's epoch fence is the last word.

/** What the member runs in its own process: the directory's events. */
export interface LocalEvents {
  /** Starts (or finds) the event's actor; null when there is no such event. */
  open(eventId: string): Promise<SeatPort | null>;
  /** The running event's port, without starting anything. */
  running(eventId: string): SeatPort | undefined;
  /** Drains and stops the event's actor (the lease is gone). */
  stop(eventId: string): Promise<void>;
  /** Ids of the events running here. */
  ids(): string[];
}

export interface NodeOptions {
  /** Redis key prefix: one per cluster. */
  prefix?: string;
  id: string;
  leaseTtlMs?: number;
  memberTtlMs?: number;
  requestTimeoutMs?: number;
  /** This process's open sockets, for its heartbeat. */
  sockets?: () => number;
}

export class ClusterNode implements OwnerCalls {
  readonly keys: ClusterKeys;
  readonly leases: Leases;
  readonly membership: Membership;
  readonly bus: Bus;
  private renewTimer: NodeJS.Timeout | null = null;
  /** Events whose lease this member holds (and whose actor it runs). */
  private readonly owned = new Set<string>();
  private readonly ports = new Map<string, RemoteEventPort>();
  /** The waiting rooms' calls for events this member owns (set by the server). */
  rooms: ((op: string, eventId: string, args: unknown[]) => Promise<unknown>) | null = null;
  /** The dashboard's figures of an event this member owns, for an operator elsewhere (dashboard.ts). */
  ops: ((eventId: string) => Promise<unknown>) | null = null;
  /** This member took an event (its lease and actor), or gave one up. */
  onOwn: ((eventId: string) => void) | null = null;
  onDisown: ((eventId: string) => void) | null = null;

  constructor(
    redis: Redis,
    subscriber: Redis,
    private readonly local: LocalEvents,
    private readonly log: Logger,
    readonly opts: NodeOptions,
  ) {
    this.keys = clusterKeys(opts.prefix);
    const leaseTtl = opts.leaseTtlMs ?? 5_000;
    this.leases = new Leases(redis, this.keys, opts.id, leaseTtl);
    this.membership = new Membership(
      redis,
      this.keys,
      { id: opts.id, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() },
      opts.memberTtlMs ?? 5_000,
      () => ({ events: this.owned.size, sockets: opts.sockets?.() ?? 0 }),
    );
    this.bus = new Bus(redis, subscriber, this.keys, opts.id, opts.requestTimeoutMs ?? 5_000);
  }

  get id(): string {
    return this.opts.id;
  }

  async start(): Promise<void> {
    await this.bus.start((req) => this.serve(req));
    await this.membership.start();
    this.renewTimer = setInterval(
      () => void this.renewAll(),
      Math.max(50, Math.floor(this.leases.ttlMs / 3)),
    );
    this.renewTimer.unref();
  }

  members(): Promise<MemberInfo[]> {
    return this.membership.members();
  }

  /** The events this member owns now. */
  ownedEvents(): string[] {
    return [...this.owned];
  }

  /**
   * The event's port: the local actor when this member owns the event (taking it when it
   * has no owner and placement picks this member), else a remote port to its owner.
   */
  async port(eventId: string): Promise<SeatPort | null> {
    let owner: string;
    try {
      owner = await this.resolve(eventId);
    } catch (e) {
      if (e instanceof AppError) throw e;
      // Redis unreachable (or a command timed out across a partition): who owns the event
      // cannot be known here. A clear, retryable refusal, as for an owner that cannot be reached.
      throw new AppError('UNAVAILABLE', `the cluster's registry cannot be reached: ${(e as Error).message}`);
    }
    if (owner === this.id) return this.openHere(eventId);
    let p = this.ports.get(eventId);
    if (!p) {
      p = new RemoteEventPort(eventId, this);
      this.ports.set(eventId, p);
    }
    return p;
  }

  /** Does this member own the event now? */
  owns(eventId: string): boolean {
    return this.owned.has(eventId);
  }

  /** Who owns the event, placing it first when nobody does. */
  async resolve(eventId: string): Promise<string> {
    if (this.owned.has(eventId)) return this.id;
    const holder = await this.leases.owner(eventId);
    if (holder) return holder;
    const members = (await this.members()).map((m) => m.id);
    const chosen = placeEvent(eventId, members.includes(this.id) ? members : [...members, this.id]);
    if (chosen && chosen !== this.id) {
      try {
        await this.bus.request(chosen, { k: 'open', eventId });
        return chosen;
      } catch (e) {
        this.log.warn(
          { eventId, chosen, err: e },
          'cluster: the chosen member did not take the event; taking it',
        );
      }
    }
    if (await this.leases.acquire(eventId)) return this.id;
    return (await this.leases.owner(eventId)) ?? this.id;
  }

  private async openHere(eventId: string): Promise<SeatPort | null> {
    if (!this.owned.has(eventId)) {
      if (!(await this.leases.acquire(eventId))) return this.port(eventId);
      this.owned.add(eventId);
      this.onOwn?.(eventId);
    }
    const port = await this.local.open(eventId);
    if (!port) {
      // No such event: hold no lease for it.
      this.owned.delete(eventId);
      await this.leases.release(eventId);
    }
    return port;
  }

  /** Sends a request to the event's owner; when the owner moved or vanished, resolves again once. */
  async call(
    eventId: string,
    body: { k: 'submit'; envelopes: Envelope[] } | { k: 'query'; name: QueryName; args: unknown },
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const owner = await this.resolve(eventId);
      if (owner === this.id) {
        const port = await this.openHere(eventId);
        if (!port) throw new RemoteError('EVENT_NOT_FOUND', `no event ${eventId}`);
        return body.k === 'submit' ? port.submit(body.envelopes) : port.query(body.name, body.args as never);
      }
      try {
        return await this.bus.request(owner, { ...body, eventId });
      } catch (e) {
        const moved =
          (e instanceof RemoteError && e.code === 'NOT_HERE') ||
          (e instanceof BusError && e.code === 'NO_ROUTE');
        if (!moved || attempt > 0) throw e;
      }
    }
  }

  /**
   * A call that belongs with the event's owner (its waiting room, its dashboard): made `here`
   * when this member owns the event (placing it first when nobody runs it), else sent to the
   * owner over the bus, again once when the owner moved. Failures come back as AppErrors:
   * the owner's own, or UNAVAILABLE when it cannot be reached.
   */
  async atOwner<T>(
    eventId: string,
    body: { k: 'room'; op: string; args: unknown[] } | { k: 'ops' },
    here: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const owner = await this.resolve(eventId);
      if (owner === this.id || this.owns(eventId)) {
        if (!this.owns(eventId)) await this.port(eventId);
        return here();
      }
      try {
        return (await this.bus.request(owner, { ...body, eventId })) as T;
      } catch (e) {
        const moved =
          (e instanceof RemoteError && e.code === 'NOT_HERE') ||
          (e instanceof BusError && e.code === 'NO_ROUTE');
        if (moved && attempt === 0) continue;
        if (e instanceof RemoteError) throw new AppError(e.code, e.message);
        throw new AppError('UNAVAILABLE', `the event's owner could not be reached: ${(e as Error).message}`);
      }
    }
  }

  /** Another member's request for an event this member should run. */
  private async serve(req: Request): Promise<unknown> {
    if (req.k === 'open') {
      const port = await this.openHere(req.eventId);
      if (!port) throw new RemoteError('EVENT_NOT_FOUND', `no event ${req.eventId}`);
      return true;
    }
    if (!this.owned.has(req.eventId))
      throw new RemoteError('NOT_HERE', `member ${this.id} does not own ${req.eventId}`);
    if (req.k === 'room') {
      if (!this.rooms) throw new RemoteError('UNAVAILABLE', 'this member keeps no waiting rooms');
      return this.rooms(req.op, req.eventId, req.args);
    }
    if (req.k === 'ops') {
      if (!this.ops) throw new RemoteError('UNAVAILABLE', 'this member keeps no dashboard');
      return this.ops(req.eventId);
    }
    const port = this.local.running(req.eventId) ?? (await this.local.open(req.eventId));
    if (!port) throw new RemoteError('EVENT_NOT_FOUND', `no event ${req.eventId}`);
    return req.k === 'submit' ? port.submit(req.envelopes) : port.query(req.name, req.args as never);
  }

  private async renewAll(): Promise<void> {
    // Events stopped here (idle) give their lease back.
    const running = new Set(this.local.ids());
    for (const eventId of this.owned) {
      if (!running.has(eventId)) {
        this.owned.delete(eventId);
        this.onDisown?.(eventId);
        await this.leases.release(eventId).catch(() => {});
        continue;
      }
      let kept: boolean;
      try {
        kept = await this.leases.renew(eventId);
      } catch {
        // Redis is unreachable: keep serving (the journal's fence keeps this safe) and try again.
        continue;
      }
      if (!kept) {
        this.owned.delete(eventId);
        this.onDisown?.(eventId);
        this.log.warn({ eventId }, 'cluster: lease lost; stepping down from the event');
        await this.local
          .stop(eventId)
          .catch((err) => this.log.error({ err, eventId }, 'cluster: step-down failed'));
      }
    }
  }

  /** A clean stop: leases released and membership left, so others take over at once. */
  async close(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.bus.close();
    for (const eventId of this.owned) await this.leases.release(eventId).catch(() => {});
    this.owned.clear();
    await this.membership.leave().catch(() => {});
  }
}
