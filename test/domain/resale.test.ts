import { describe, expect, it } from 'vitest';
import { AVAILABLE, BOOKED, RESALE } from '../../src/domain/seat-status.ts';
import { decodeState, encodeState } from '../../src/domain/snapshot.ts';
import { type EventState, fanTickets } from '../../src/domain/state.ts';
import { accept, fixtureState, rejectWith, T0 } from '../support/fixture.ts';

/** ann has bought seats 0 and 1 in order o1; bob holds seat 6. */
function booked(): EventState {
  const s = fixtureState();
  accept(s, { type: 'hold', holdId: 'h1', fanId: 'ann', seats: [0, 1] });
  accept(s, { type: 'book', holdId: 'h1', fanId: 'ann', orderId: 'o1' }, T0 + 10);
  accept(s, { type: 'hold', holdId: 'h2', fanId: 'bob', seats: [6] });
  return s;
}

const list = { type: 'listResale' as const, listingId: 'l1', fanId: 'ann', seats: [0], price: 5000 };
const sale = { listingId: 'l1', orderId: 'o-bob' };

describe('resale on the seat map', () => {
  it('given a booked seat, when its holder lists it, then it shows RESALE to every subscriber and stays theirs', () => {
    const s = booked();
    const out = accept(s, list);
    expect(out.value).toEqual({ listingId: 'l1', seats: [0] });
    expect(out.deltas).toEqual([0, RESALE]);
    expect(s.status[0]).toBe(RESALE);
    expect(s.statusCounts[RESALE]).toBe(1);
    expect(s.statusCounts[BOOKED]).toBe(1);
    expect(fanTickets(s, 'ann')).toBe(2);
    // A snapshot keeps the status.
    expect(decodeState(s.layout, encodeState(s)).status[0]).toBe(RESALE);
  });

  it('given seats that are not the fan’s booked ones, when listed, then it is refused and nothing changes', () => {
    const s = booked();
    rejectWith(s, { ...list, fanId: 'bob' }, 'NOT_OWNER');
    rejectWith(s, { ...list, fanId: 'bob', seats: [6] }, 'NOT_OWNER'); // held, not booked
    rejectWith(s, { ...list, seats: [3] }, 'NOT_OWNER'); // available
    rejectWith(s, { ...list, seats: [999] }, 'UNKNOWN_SEAT');
    accept(s, list);
    rejectWith(s, list, 'SEAT_LISTED');
  });

  it('given a listed seat, when transferred without a sale, then it is refused: the listing goes first', () => {
    const s = booked();
    accept(s, list);
    rejectWith(
      s,
      { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cy', seats: [0] },
      'SEAT_LISTED',
    );
  });

  it('given a listed seat, when its buyer’s transfer comes, then the seat is BOOKED and the buyer’s; a second buyer is refused', () => {
    const s = booked();
    accept(s, list);
    const buy = {
      type: 'transfer' as const,
      orderId: 'o1',
      fromFanId: 'ann',
      toFanId: 'cy',
      seats: [0],
      sale,
    };
    const out = accept(s, buy);
    expect(out.event).toMatchObject({ type: 'SeatsTransferred', sale });
    expect(out.deltas).toEqual([0, BOOKED]);
    expect(s.status[0]).toBe(BOOKED);
    expect(s.fanIds[s.holder[0] - 1]).toBe('cy');
    expect(fanTickets(s, 'ann')).toBe(1);
    expect(fanTickets(s, 'cy')).toBe(1);
    rejectWith(s, { ...buy, fromFanId: 'ann', toFanId: 'dee' }, 'NOT_OWNER');
    rejectWith(s, { ...buy, fromFanId: 'cy', toFanId: 'dee' }, 'NOT_LISTED');
  });

  it('given a seat not listed, when a sale transfer names it, then it is refused', () => {
    const s = booked();
    rejectWith(
      s,
      { type: 'transfer', orderId: 'o1', fromFanId: 'ann', toFanId: 'cy', seats: [0], sale },
      'NOT_LISTED',
    );
  });

  it('given a listed seat, when withdrawn, then it is BOOKED again; withdrawing twice is refused', () => {
    const s = booked();
    accept(s, list);
    const out = accept(s, { type: 'withdrawResale', listingId: 'l1', fanId: 'ann', seats: [0] });
    expect(out.deltas).toEqual([0, BOOKED]);
    expect(s.statusCounts[RESALE]).toBe(0);
    rejectWith(s, { type: 'withdrawResale', listingId: 'l1', fanId: 'ann', seats: [0] }, 'NOT_LISTED');
  });

  it('given a listed seat, when its booking is cancelled (a refund), then it is free again', () => {
    const s = booked();
    accept(s, list);
    accept(s, { type: 'cancelBooking', orderId: 'o1', seats: [0] });
    expect(s.status[0]).toBe(AVAILABLE);
    expect(s.statusCounts[RESALE]).toBe(0);
  });
});
