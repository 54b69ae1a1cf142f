import type { EventPort } from '../actors/event-port.ts';
import type { Layout } from '../domain/chart.ts';

// What the resale market needs from the rest of the server: an event's actor and layout.

export interface ResaleEvent {
  id: string;
  layout: Layout;
  handle: EventPort;
}

export interface ResaleEvents {
  /** The event (its actor started if need be), or EVENT_NOT_FOUND. */
  need(eventId: string): Promise<ResaleEvent>;
}
