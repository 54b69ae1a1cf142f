import type { EventPort } from '../actors/event-port.ts';
import type { Layout } from '../domain/chart.ts';
import { DEFAULT_CONFIG } from '../domain/state.ts';
import type { User } from '../user.ts';

// What tickets needs from the rest of the server, as narrow ports: an event's actor, layout
// and per-fan limit; accounts by email; a nudge for the mail sender.

export interface TicketEvent {
  id: string;
  name: string;
  layout: Layout;
  handle: EventPort;
  /** The most seats or places one fan may hold and own at once (the actor's maxPerFan). */
  maxPerFan: number;
}

export interface TicketEvents {
  /** The event (its actor started if need be), or EVENT_NOT_FOUND. */
  need(eventId: string): Promise<TicketEvent>;
}

export interface TicketsDeps {
  events: TicketEvents;
  userByEmail(email: string): Promise<User | null>;
  /** Nudges the mail sender after a transaction that enqueued mail. */
  mailQueued(): void;
}

/** The seat map's events as tickets sees them (the per-fan limit from the actor's spec). */
export function ticketEvents(events: {
  need(id: string): Promise<{
    id: string;
    name: string;
    layout: Layout;
    handle: EventPort & { spec: { config?: { maxPerFan?: number } } };
  }>;
}): TicketEvents {
  return {
    async need(eventId) {
      const ev = await events.need(eventId);
      return {
        id: ev.id,
        name: ev.name,
        layout: ev.layout,
        handle: ev.handle,
        maxPerFan: ev.handle.spec.config?.maxPerFan ?? DEFAULT_CONFIG.maxPerFan,
      };
    },
  };
}
