import { describe, expect, it } from 'vitest';
import { SEAT_STATUS, SeatMap, type SeatMapChange } from '../../client/sdk/index.ts';

// The SDK's seat map tells its listeners what happened: a snapshot (redraw all) or a delta
// (exactly these seats and areas changed). An empty seat list is no longer ambiguous: a hold
// extension or a standing-area hold is a delta, not a resynchronisation.

const { available: AVAILABLE, held: HELD, booked: BOOKED } = SEAT_STATUS;

/** A map at version 5 with 4 available seats and two standing areas, recording every notification. */
function watched(): { map: SeatMap; seen: SeatMapChange[] } {
  const map = new SeatMap('e1');
  map.applySnapshot(5, new Uint8Array(4), [6000, 2500]);
  const seen: SeatMapChange[] = [];
  map.onChange((change, m) => {
    expect(m).toBe(map);
    seen.push(change);
  });
  return { map, seen };
}

describe('SeatMap notifications', () => {
  it('given a listener, when a snapshot arrives, then it hears a snapshot at that version and the map shows it', () => {
    const { map, seen } = watched();
    map.applySnapshot(9, Uint8Array.from([HELD, AVAILABLE, BOOKED, AVAILABLE]), [5990, 2500]);
    expect(seen).toEqual([{ kind: 'snapshot', version: 9 }]);
    expect([...map.status, map.version, ...map.areas]).toEqual([
      HELD,
      AVAILABLE,
      BOOKED,
      AVAILABLE,
      9,
      5990,
      2500,
    ]);
  });

  it('given a delta of seats and areas, then it hears a delta with both and its version range', () => {
    const { map, seen } = watched();
    expect(map.applyDelta(6, 7, [1, HELD, 3, BOOKED], [0, 5996])).toBe('applied');
    expect(seen).toEqual([
      {
        kind: 'delta',
        from: 6,
        to: 7,
        seats: [
          { seat: 1, status: HELD },
          { seat: 3, status: BOOKED },
        ],
        areas: [{ area: 0, available: 5996 }],
      },
    ]);
    expect([...map.status, map.version, ...map.areas]).toEqual([
      AVAILABLE,
      HELD,
      AVAILABLE,
      BOOKED,
      7,
      5996,
      2500,
    ]);
  });

  it('given a standing-area hold (areas only), then it hears a delta with area changes and no seat changes, not a snapshot', () => {
    const { map, seen } = watched();
    expect(map.applyDelta(6, 6, [], [1, 2496])).toBe('applied');
    expect(seen).toEqual([
      { kind: 'delta', from: 6, to: 6, seats: [], areas: [{ area: 1, available: 2496 }] },
    ]);
    expect(map.areas).toEqual([6000, 2496]);
  });

  it('given a hold extension (no seats, no areas), then it hears an empty delta at the new version, not a snapshot', () => {
    const { map, seen } = watched();
    expect(map.applyDelta(6, 6, [], [])).toBe('applied');
    expect(seen).toEqual([{ kind: 'delta', from: 6, to: 6, seats: [], areas: [] }]);
    expect(map.version).toBe(6);
  });

  it('given a map at version 5, then a stale delta and a gapped one change nothing and notify nobody; an overlapping one applies', () => {
    const { map, seen } = watched();
    expect(map.applyDelta(3, 5, [0, HELD], [0, 1])).toBe('stale');
    expect(map.applyDelta(7, 8, [0, HELD], [0, 1])).toBe('gap');
    expect(seen).toEqual([]);
    expect([...map.status, map.version, ...map.areas]).toEqual([0, 0, 0, 0, 5, 6000, 2500]);
    // Statuses are absolute, so a batch starting inside what the map has is safe to apply.
    expect(map.applyDelta(4, 6, [2, HELD], [])).toBe('applied');
    expect(seen).toEqual([{ kind: 'delta', from: 4, to: 6, seats: [{ seat: 2, status: HELD }], areas: [] }]);
  });

  it('given no snapshot yet, then any delta is a gap and nobody hears of it', () => {
    const map = new SeatMap('e1');
    const seen: SeatMapChange[] = [];
    map.onChange((c) => seen.push(c));
    expect(map.applyDelta(0, 1, [0, HELD], [])).toBe('gap');
    expect(seen).toEqual([]);
    expect(map.version).toBe(-1);
  });

  it('given a listener that unsubscribed, then it hears nothing more', () => {
    const map = new SeatMap('e1');
    const seen: SeatMapChange[] = [];
    const off = map.onChange((c) => seen.push(c));
    map.applySnapshot(1, new Uint8Array(2), []);
    off();
    map.applyDelta(2, 2, [0, HELD], []);
    expect(seen).toEqual([{ kind: 'snapshot', version: 1 }]);
    expect(map.status[0]).toBe(HELD);
  });
});
