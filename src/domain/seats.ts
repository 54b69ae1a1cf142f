import type { DomainError } from './errors.ts';
import type { EventState } from './state.ts';

/** Checks that seat numbers exist in the chart and none is repeated. */
export function checkSeats(state: EventState, seats: readonly number[]): DomainError | null {
  const n = state.layout.seatCount;
  for (let i = 0; i < seats.length; i++) {
    const s = seats[i];
    if (!(s >= 0 && s < n && Number.isInteger(s)))
      return { code: 'UNKNOWN_SEAT', message: `unknown seat ${String(s).slice(0, 32)}` };
    for (let j = 0; j < i && seats.length <= 16; j++) {
      if (seats[j] === s) return { code: 'DUPLICATE_SEAT', message: `seat ${s} appears twice` };
    }
  }
  if (seats.length > 16 && new Set(seats).size !== seats.length) {
    return { code: 'DUPLICATE_SEAT', message: 'a seat appears twice in the command' };
  }
  return null;
}
