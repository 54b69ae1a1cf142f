import type { Command } from './commands.ts';
import { reject, rejectWith } from './errors.ts';
import type { EventOf } from './events.ts';
import type { Changes, Decision } from './outcome.ts';
import { BOOKED, RESALE, STATUS_NAMES } from './seat-status.ts';
import { checkSeats } from './seats.ts';
import { type EventState, setStatus } from './state.ts';

// The resale market's part of the seat map: a booked seat its holder lists shows `resale`
// to every fan until it is bought (a transfer with a sale, bookings.ts) or withdrawn. The
// listing's terms are the resale capability's (src/resale); the seat map knows only that the
// seat is offered, so the live map and the listings can be checked against each other.

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

/** Every seat is `fanId`'s and has status `want`; else the rejection. */
function heldAs(state: EventState, fanId: string, seats: number[], want: number): Decision | null {
  const bad = checkSeats(state, seats);
  if (bad) return rejectWith(bad);
  const fan = state.fanIndex.get(fanId);
  for (const s of seats) {
    const st = state.status[s];
    if (st !== BOOKED && st !== RESALE)
      return reject('NOT_OWNER', `seat ${s} is ${STATUS_NAMES[st]}, not booked`);
    if (fan === undefined || state.holder[s] !== fan + 1)
      return reject('NOT_OWNER', `seat ${s} belongs to another fan`);
    if (st !== want)
      return want === RESALE
        ? reject('NOT_LISTED', `seat ${s} is not listed for resale`)
        : reject('SEAT_LISTED', `seat ${s} is listed for resale already`);
  }
  return null;
}

export function decideListResale(state: EventState, cmd: Cmd<'listResale'>): Decision {
  return (
    heldAs(state, cmd.fanId, cmd.seats, BOOKED) ?? {
      type: 'ResaleListed',
      listingId: cmd.listingId,
      fanId: cmd.fanId,
      seats: cmd.seats.slice(),
      price: cmd.price,
    }
  );
}

export function decideWithdrawResale(state: EventState, cmd: Cmd<'withdrawResale'>): Decision {
  return (
    heldAs(state, cmd.fanId, cmd.seats, RESALE) ?? {
      type: 'ResaleWithdrawn',
      listingId: cmd.listingId,
      fanId: cmd.fanId,
      seats: cmd.seats.slice(),
    }
  );
}

export function evolveResale(
  state: EventState,
  e: EventOf<'ResaleListed'> | EventOf<'ResaleWithdrawn'>,
  changes: Changes,
): void {
  const next = e.type === 'ResaleListed' ? RESALE : BOOKED;
  for (const s of e.seats) setStatus(state, s, next, changes.deltas);
}
