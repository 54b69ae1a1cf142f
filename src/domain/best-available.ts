import { SEAT_ACCESSIBLE, SEAT_COMPANION } from './chart.ts';
import type { BestFilter } from './commands.ts';
import { AVAILABLE } from './seat-status.ts';
import type { EventState } from './state.ts';

export interface BestChoice {
  seats: number[];
  /** True when the seats are side by side in one row. */
  together: boolean;
}

const SPECIAL = SEAT_ACCESSIBLE | SEAT_COMPANION;

/**
 * Picks `count` seats matching the filter: the contiguous block in one row with the lowest
 * mean distance to the focal point, preferring blocks that leave no single seat stranded
 * between taken seats (a stranded seat is accepted only when no other block exists). When no
 * row has a block, it falls back to the closest seats, not together. Rows are visited in
 * order of their closest seat, and the search stops once no later row can beat the best
 * block found, so a half-sold stadium costs a few rows, not 80,000 seats.
 */
export function chooseBest(state: EventState, count: number, filter: BestFilter = {}): BestChoice | null {
  const { layout, status, rowAvailable } = state;
  const catOk = allowedCategories(state, filter);
  if (catOk === null) return null;
  const sectionOk = allowedSections(state, filter);
  const wantAccessible = filter.accessible === true;
  const flags = layout.seatFlags;
  const dist = layout.seatDist;
  const cat = layout.seatCategory;
  const eligible = (s: number): boolean =>
    status[s] === AVAILABLE &&
    catOk[cat[s]] === 1 &&
    (wantAccessible ? (flags[s] & SPECIAL) !== 0 : (flags[s] & SPECIAL) === 0);

  let bestStart = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  let bestOrphan = true;
  const order = layout.rowsByDistance;
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    // Every block in this row is at least this far away on average.
    if (!bestOrphan && layout.rowMinDist[row] >= bestScore) break;
    if (rowAvailable[row] < count) continue;
    if (sectionOk !== null && sectionOk[layout.rowSection[row]] !== 1) continue;
    const start = layout.rowStart[row];
    const end = start + layout.rowLength[row];
    let run = start; // first seat of the current run of eligible seats
    let sum = 0; // distance sum of the current window
    for (let s = start; s < end; s++) {
      if (!eligible(s)) {
        run = s + 1;
        sum = 0;
        continue;
      }
      sum += dist[s];
      if (s - run + 1 > count) sum -= dist[s - count];
      if (s - run + 1 < count) continue;
      const first = s - count + 1;
      if (wantAccessible && !blockHasAccessible(flags, first, count)) continue;
      const score = sum / count;
      const orphan = strandsSeat(status, start, end, first, s);
      if ((bestOrphan && !orphan) || (orphan === bestOrphan && score < bestScore)) {
        bestStart = first;
        bestScore = score;
        bestOrphan = orphan;
      }
    }
  }
  if (bestStart >= 0) {
    const seats = new Array<number>(count);
    for (let i = 0; i < count; i++) seats[i] = bestStart + i;
    return { seats, together: true };
  }
  return scattered(state, count, eligible, sectionOk, wantAccessible);
}

/**
 * Closest eligible seats row by row, for when no row has `count` together. With the
 * accessible filter the closest wheelchair place is taken first, so that the closer
 * companion seats cannot crowd out the one place that makes the choice valid.
 */
function scattered(
  state: EventState,
  count: number,
  eligible: (s: number) => boolean,
  sectionOk: Uint8Array | null,
  wantAccessible: boolean,
): BestChoice | null {
  const { layout } = state;
  const seats: number[] = [];
  const pick = (want: (s: number) => boolean, upTo: number): void => {
    for (let k = 0; k < layout.rowsByDistance.length && seats.length < upTo; k++) {
      const row = layout.rowsByDistance[k];
      if (state.rowAvailable[row] === 0) continue;
      if (sectionOk !== null && sectionOk[layout.rowSection[row]] !== 1) continue;
      const start = layout.rowStart[row];
      const end = start + layout.rowLength[row];
      for (let s = start; s < end && seats.length < upTo; s++) {
        if (want(s) && !(wantAccessible && s === seats[0])) seats.push(s); // seats[0]: the place picked first
      }
    }
  };
  if (wantAccessible) {
    pick((s) => eligible(s) && (layout.seatFlags[s] & SEAT_ACCESSIBLE) !== 0, 1);
    if (seats.length === 0) return null;
  }
  pick(eligible, count);
  if (seats.length < count) return null;
  return { seats, together: false };
}

function blockHasAccessible(flags: Uint8Array, first: number, count: number): boolean {
  for (let i = first; i < first + count; i++) if (flags[i] & SEAT_ACCESSIBLE) return true;
  return false;
}

/** True when taking seats first..last leaves exactly one available seat between it and a taken seat or the row's end. */
function strandsSeat(
  status: Uint8Array,
  rowStart: number,
  rowEnd: number,
  first: number,
  last: number,
): boolean {
  const left = first - 1;
  if (
    left >= rowStart &&
    status[left] === AVAILABLE &&
    (left - 1 < rowStart || status[left - 1] !== AVAILABLE)
  ) {
    return true;
  }
  const right = last + 1;
  return (
    right < rowEnd && status[right] === AVAILABLE && (right + 1 >= rowEnd || status[right + 1] !== AVAILABLE)
  );
}

/** 1 per category number the filter allows (priced, in the price range, listed); null if none. */
function allowedCategories(state: EventState, filter: BestFilter): Uint8Array | null {
  const { layout, prices } = state;
  const ok = new Uint8Array(layout.categories.length);
  let any = false;
  for (let c = 0; c < ok.length; c++) {
    const price = prices[c];
    if (price < 0) continue;
    if (filter.minPrice !== undefined && price < filter.minPrice) continue;
    if (filter.maxPrice !== undefined && price > filter.maxPrice) continue;
    if (filter.categories && !filter.categories.includes(layout.categories[c].id)) continue;
    ok[c] = 1;
    any = true;
  }
  return any ? ok : null;
}

function allowedSections(state: EventState, filter: BestFilter): Uint8Array | null {
  if (!filter.sections) return null;
  const ok = new Uint8Array(state.layout.sections.length);
  for (const id of filter.sections) {
    const s = state.layout.sectionIndex.get(id);
    if (s !== undefined) ok[s] = 1;
  }
  return ok;
}
