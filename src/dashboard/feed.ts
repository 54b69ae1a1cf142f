import type { Logger } from 'pino';
import type { OperatorStats } from '../../client/sdk/protocol.ts';
import type { JournalPort } from '../actors/ports.ts';
import type { Availability } from '../domain/queries.ts';
import type { Sockets } from '../gateway/sockets.ts';
import type { SalesReport } from '../orders/sales.ts';
import type { RoomInfo } from '../waiting-room/rooms.ts';
import { LatencyWindow } from './latency-window.ts';
import { statsOf } from './stats.ts';

// The operators' live dashboard: for every event an operator watches (`osub` on the socket),
// one `stats` message about once a second to the event's ops/<id> topic: seat counts from the
// actor, sales from the orders, the waiting room, and the hold and journal-commit latencies of
// the last 10 s. Latencies are only kept for watched events, so nobody pays for them otherwise.
// Sales are read again only while the seat map changes (the orders follow the journal a moment
// later) and every 15 s besides: on PGlite every query waits its turn with the on-sale's own.

export const opsTopic = (eventId: string) => `ops/${eventId}`;

/** Whether any socket of this process watches the event's dashboard. */
export function opsWatched(sockets: Sockets, eventId: string): boolean {
  return sockets.subscribers(opsTopic(eventId)) > 0;
}

/** The dashboard as its routes and socket handlers use it: here, or (cluster) at the owner. */
export interface DashboardPort {
  /** The event's figures now; null when there is no such event. */
  stats(eventId: string): Promise<OperatorStats | null>;
  /** An operator here started watching: keep its latencies and send it `stats` every second. */
  watch(eventId: string): void;
}

export interface FeedDeps {
  sockets: Sockets;
  /** The event's live availability; null when there is no such event. */
  availability(eventId: string): Promise<Availability | null>;
  room(eventId: string): RoomInfo | undefined;
  sales(eventId: string): Promise<SalesReport>;
  log: Logger;
  now?: () => number;
  intervalMs?: number;
}

interface SalesCache {
  report: SalesReport;
  readAt: number;
  /** The seat version seen at the last read, and when it last changed. */
  version: number;
  changedAt: number;
}

/** Keep reading sales this long after the seat map last changed: tickets trail the journal. */
const FOLLOW_MS = 3_000;
const REFRESH_MS = 15_000;

export class OperatorFeed implements DashboardPort {
  private readonly holds = new Map<string, LatencyWindow>();
  /** Events operators on other members watch (cluster mode): until when, epoch ms. */
  private readonly remote = new Map<string, number>();
  /** Where the figures of remotely watched events go (the cluster's fan-out). */
  share: ((eventId: string, stats: OperatorStats) => void) | null = null;
  private readonly commits = new Map<string, LatencyWindow>();
  private readonly salesCache = new Map<string, SalesCache>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private ticking = false;

  constructor(private readonly deps: FeedDeps) {
    this.now = deps.now ?? Date.now;
    this.timer = setInterval(() => void this.tick(), deps.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Starts keeping the event's latencies (the socket handler calls it on `osub`). */
  watch(eventId: string): void {
    if (!this.holds.has(eventId)) {
      this.holds.set(eventId, new LatencyWindow());
      this.commits.set(eventId, new LatencyWindow());
    }
  }

  /** Operators on another member watch the event for `ms` more (renewed while they do). */
  watchFor(eventId: string, ms: number): void {
    this.watch(eventId);
    this.remote.set(eventId, this.now() + ms);
  }

  recordHold(eventId: string, ms: number): void {
    this.holds.get(eventId)?.record(ms, this.now());
  }

  /** The journal, timing each append of a watched event. */
  observe(journal: JournalPort): JournalPort {
    return {
      claim: (eventId) => journal.claim(eventId),
      read: (eventId, afterSeq, onEntries) => journal.read(eventId, afterSeq, onEntries),
      append: async (eventId, epoch, entries, liveHolds) => {
        const window = this.commits.get(eventId);
        if (!window) return journal.append(eventId, epoch, entries, liveHolds);
        const started = performance.now();
        await journal.append(eventId, epoch, entries, liveHolds);
        window.record(performance.now() - started, this.now());
      },
    };
  }

  /** The event's figures now; null when there is no such event. */
  async stats(eventId: string): Promise<OperatorStats | null> {
    const availability = await this.deps.availability(eventId);
    if (!availability) return null;
    const now = this.now();
    const sales = await this.salesOf(eventId, availability.version, now);
    return statsOf({
      eventId,
      at: now,
      availability,
      sales,
      room: this.deps.room(eventId),
      holds: this.holds.get(eventId)?.summary(now),
      commits: this.commits.get(eventId)?.summary(now),
    });
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async salesOf(eventId: string, version: number, now: number): Promise<SalesReport> {
    const c = this.salesCache.get(eventId);
    const changed = !c || c.version !== version;
    const changedAt = changed ? now : c.changedAt;
    if (c && !changed && now - changedAt > FOLLOW_MS && now - c.readAt < REFRESH_MS) return c.report;
    const report = await this.deps.sales(eventId);
    this.salesCache.set(eventId, { report, readAt: now, version, changedAt });
    return report;
  }

  private async tick(): Promise<void> {
    // A slow database must not stack ticks up: the next one starts after this one ends.
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const eventId of [...this.holds.keys()]) {
        const here = opsWatched(this.deps.sockets, eventId);
        const elsewhere = (this.remote.get(eventId) ?? 0) > this.now() && this.share !== null;
        if (!here && !elsewhere) {
          this.holds.delete(eventId);
          this.commits.delete(eventId);
          this.salesCache.delete(eventId);
          this.remote.delete(eventId);
          continue;
        }
        try {
          const stats = await this.stats(eventId);
          if (!stats) continue;
          if (here) this.deps.sockets.publish(opsTopic(eventId), { t: 'stats', ...stats });
          if (elsewhere) this.share?.(eventId, stats);
        } catch (e) {
          this.deps.log.warn({ err: e, event: eventId }, 'dashboard: stats not read');
        }
      }
    } finally {
      this.ticking = false;
    }
  }
}
