import { evolveBookingCancelled, evolveSeatsBooked, evolveSeatsTransferred } from './bookings.ts';
import type { DomainEvent } from './events.ts';
import {
  evolveHoldExtended,
  evolveHoldReleased,
  evolveHoldsExpired,
  evolvePlacesHeld,
  evolveSeatsHeld,
} from './holds.ts';
import { evolvePricesChanged, evolveSaleChanged, evolveSeats } from './operator.ts';
import type { Changes } from './outcome.ts';
import { evolveResale } from './resale.ts';
import type { EventState } from './state.ts';

/**
 * Applies a decided event and advances the version by one. No rule is checked and no
 * choice is made here: the event says what happened. An event that cannot apply (a hold
 * that is not there) means a corrupt journal, and throws.
 */
export function evolve(state: EventState, e: DomainEvent, changes: Changes): void {
  switch (e.type) {
    case 'SeatsHeld':
      evolveSeatsHeld(state, e, changes);
      break;
    case 'PlacesHeld':
      evolvePlacesHeld(state, e, changes);
      break;
    case 'HoldExtended':
      evolveHoldExtended(state, e);
      break;
    case 'HoldReleased':
      evolveHoldReleased(state, e, changes);
      break;
    case 'HoldsExpired':
      evolveHoldsExpired(state, e, changes);
      break;
    case 'SeatsBooked':
      evolveSeatsBooked(state, e, changes);
      break;
    case 'BookingCancelled':
      evolveBookingCancelled(state, e, changes);
      break;
    case 'SeatsTransferred':
      evolveSeatsTransferred(state, e, changes);
      break;
    case 'ResaleListed':
    case 'ResaleWithdrawn':
      evolveResale(state, e, changes);
      break;
    case 'SeatsBlocked':
    case 'SeatsUnblocked':
    case 'SeatsWithdrawn':
    case 'SeatsReturned':
      evolveSeats(state, e, changes);
      break;
    case 'SaleChanged':
      evolveSaleChanged(state, e);
      break;
    case 'PricesChanged':
      evolvePricesChanged(state, e, changes);
      break;
    default:
      throw new Error(`unknown event type ${(e as { type: unknown }).type}`);
  }
  state.version++;
}
