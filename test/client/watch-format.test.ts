import { describe, expect, it } from 'vitest';
import {
  areaNames,
  changeLine,
  httpOrigin,
  startLine,
  summary,
  type WatchLabels,
} from '../../client/cli/watch-format.ts';
import { SEAT_STATUS, SeatMap, type SeatMapChange } from '../../client/sdk/index.ts';

// What `npm run watch` prints for each kind of notification: only a snapshot is a
// resynchronisation; extensions and standing-area holds are deltas, and area counts show.

const { held: HELD } = SEAT_STATUS;
const labels: WatchLabels = {
  statuses: Object.keys(SEAT_STATUS),
  areas: areaNames({
    gaAreas: [
      { id: 'GA1', name: 'Floor A', capacity: 6000 },
      { id: 'GA2', name: 'Floor B' },
    ],
  }),
};

/** A map of 10 available seats and two floors of 6,000 at version 41, with the notifications it sends. */
function watched(): { map: SeatMap; lines: string[] } {
  const map = new SeatMap('demo-stadium');
  map.applySnapshot(41, new Uint8Array(10), [6000, 6000]);
  const lines: string[] = [];
  map.onChange((change: SeatMapChange) => lines.push(changeLine(change, map, labels)));
  return { map, lines };
}

describe('the watch lines', () => {
  it('given a chart, then areas are named by id and name, by position', () => {
    expect(labels.areas).toEqual(['GA1 Floor A', 'GA2 Floor B']);
    expect(areaNames({ sections: [] })).toEqual([]);
    expect(areaNames(null)).toEqual([]);
  });

  it('given a fresh map, then the start line has the version, the counts by status and every area', () => {
    const { map } = watched();
    expect(startLine('demo-stadium', map, labels)).toBe(
      'demo-stadium v41: available 10 · held 0 · booked 0 · blocked 0 · notForSale 0 · resale 0 · GA1 Floor A 6,000 left · GA2 Floor B 6,000 left',
    );
  });

  it('given an extension (a delta with no seats and no areas), then the line is a delta, not "resynchronised"', () => {
    const { map, lines } = watched();
    map.applyDelta(42, 42, [], []);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/resynchronised/);
    expect(lines[0]).toMatch(/^v42: no seat or area changes {2}\| {2}available 10 · /);
  });

  it('given a standing-area hold, then the line shows the area count left, and the summary too', () => {
    const { map, lines } = watched();
    map.applyDelta(42, 42, [], [0, 5996]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/resynchronised/);
    expect(lines[0]).toBe(
      'v42: GA1 Floor A 5,996 left  |  available 10 · held 0 · booked 0 · blocked 0 · notForSale 0 · resale 0 · GA1 Floor A 5,996 left · GA2 Floor B 6,000 left',
    );
  });

  it('given a seat hold, then the line lists the seats with their new status, and more than 8 as "+N more"', () => {
    const { map, lines } = watched();
    map.applyDelta(42, 42, [3, HELD, 4, HELD], []);
    map.applyDelta(
      43,
      44,
      [0, HELD, 1, HELD, 2, HELD, 5, HELD, 6, HELD, 7, HELD, 8, HELD, 9, HELD, 3, 0, 4, 0],
      [],
    );
    expect(lines[0]).toMatch(/^v42: 3→held 4→held {2}\| {2}available 8 · held 2 · /);
    expect(lines[1]).toMatch(
      /^v44: 0→held 1→held 2→held 5→held 6→held 7→held 8→held 9→held \(\+2 more\) {2}\| {2}available 2 · held 8 · /,
    );
  });

  it('given a snapshot after a gap, then the line says resynchronised, at its version', () => {
    const { map, lines } = watched();
    map.applySnapshot(50, Uint8Array.from([HELD, 0, 0, 0, 0, 0, 0, 0, 0, 0]), [5000, 6000]);
    expect(lines).toEqual([
      'resynchronised at v50: available 9 · held 1 · booked 0 · blocked 0 · notForSale 0 · resale 0 · GA1 Floor A 5,000 left · GA2 Floor B 6,000 left',
    ]);
  });

  it('given an area the chart did not name, then it is shown by its position', () => {
    const map = new SeatMap('e');
    map.applySnapshot(1, new Uint8Array(0), [12]);
    expect(summary(map, { statuses: ['available'], areas: [] })).toBe('available 0 · area 0 12 left');
  });

  it('given a socket URL, then the chart is fetched from the same server over HTTP', () => {
    expect(httpOrigin('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080');
    expect(httpOrigin('wss://tickets.example.com/ws')).toBe('https://tickets.example.com');
  });
});
