import type { EventLocator, SeatPort } from '../actors/event-port.ts';
import type { ClusterNode } from './node.ts';

// Events as the rest of the server finds them in cluster mode: through the event's owner,
// this process or another. Nothing outside src/cluster needs to know which.

export class ClusterLocator implements EventLocator {
  constructor(
    private readonly node: ClusterNode,
    private readonly local: { running(eventId: string): Promise<SeatPort | null> },
  ) {}

  event(eventId: string): Promise<SeatPort | null> {
    return this.node.port(eventId);
  }

  /** Running here, or owned by another member (its lease is held): its port; else null. */
  async running(eventId: string): Promise<SeatPort | null> {
    const here = await this.local.running(eventId);
    if (here) return here;
    return (await this.node.leases.owner(eventId)) ? this.node.port(eventId) : null;
  }
}
