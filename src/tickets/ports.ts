import type { EventPort } from '../actors/event-port.ts';
import type { Layout } from '../domain/chart.ts';
import type { User } from '../user.ts';

// What tickets needs from the rest of the server, as narrow ports: an event's actor and
// layout; accounts by email; a nudge for the mail sender.

export interface TicketEvent {
  id: string;
  name: string;
  layout: Layout;
  handle: EventPort;
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
