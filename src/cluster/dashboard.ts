import type { OperatorStats } from '../../client/sdk/protocol.ts';
import type { DashboardPort, OperatorFeed } from '../dashboard/feed.ts';
import type { ClusterFanout } from './fanout.ts';
import type { ClusterNode } from './node.ts';

// The operators' dashboard in cluster mode: an event's figures are read where the event runs
// (its journal commits are timed there, its waiting room is kept there), and reach operators
// on other members through the fan-out. An operator's member asks the owner for the figures
// (`ops` over the bus), which also tells the owner to send them every second for a while;
// the ask is renewed while operators here watch.

/** How long an ask keeps the owner sending; renewed every RENEW_MS while watched. */
const INTEREST_MS = 10_000;
const RENEW_MS = 3_000;

export class ClusterDashboard implements DashboardPort {
  /** Events operators here watch that another member owns. */
  private readonly away = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly node: ClusterNode,
    private readonly local: OperatorFeed,
    private readonly fanout: ClusterFanout,
    /** Whether operators here still watch the event. */
    private readonly watched: (eventId: string) => boolean,
  ) {
    node.ops = (eventId) => {
      local.watchFor(eventId, INTEREST_MS);
      return local.stats(eventId);
    };
    local.share = (eventId, stats) => fanout.ops(eventId, stats);
    this.timer = setInterval(() => this.renew(), RENEW_MS);
    this.timer.unref();
  }

  stats(eventId: string): Promise<OperatorStats | null> {
    return this.node.owns(eventId) ? this.local.stats(eventId) : this.ask(eventId);
  }

  watch(eventId: string): void {
    if (this.node.owns(eventId)) {
      this.local.watch(eventId);
      return;
    }
    this.away.add(eventId);
    void this.fanout.follow(eventId);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private renew(): void {
    for (const eventId of this.away) {
      if (!this.watched(eventId)) this.away.delete(eventId);
      else if (this.node.owns(eventId)) {
        // The event came here: the local feed sends its figures from now on.
        this.away.delete(eventId);
        this.local.watch(eventId);
      } else void this.ask(eventId).catch(() => {}); // the owner unreachable: the next renewal asks again
    }
  }

  private ask(eventId: string): Promise<OperatorStats | null> {
    return this.node.atOwner(eventId, { k: 'ops' }, () => this.local.stats(eventId));
  }
}
