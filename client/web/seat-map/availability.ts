import type { ChartModel } from './chart-model.ts';
import { STATUS } from './palette.ts';

// Counts the map and the seat list show: seats available per section (kept current from
// deltas by recounting only the sections a delta touched) and the available seats of a
// section by row, for the list that stands in for the map. Pure.

/** Available seats of every section. */
export function sectionAvailability(model: ChartModel, status: Uint8Array): Uint32Array {
  const out = new Uint32Array(model.sections.length);
  for (let i = 0; i < model.seatCount; i++) if (status[i] === STATUS.available) out[model.section[i]]++;
  return out;
}

/** Recounts the sections that `seats` belong to, in place; returns the sections recounted. */
export function recountSections(
  model: ChartModel,
  status: Uint8Array,
  counts: Uint32Array,
  seats: Iterable<number>,
): number[] {
  const touched = new Set<number>();
  for (const s of seats) if (s >= 0 && s < model.seatCount) touched.add(model.section[s]);
  for (const si of touched) {
    const { first, end } = model.sections[si];
    let n = 0;
    for (let i = first; i < end; i++) if (status[i] === STATUS.available) n++;
    counts[si] = n;
  }
  return [...touched];
}

export interface RowSeats {
  label: string;
  seats: number[];
}

/** A section's available seats, row by row (rows with none left out). */
export function availableRows(model: ChartModel, status: Uint8Array, section: number): RowSeats[] {
  const s = model.sections[section];
  if (!s) return [];
  const out: RowSeats[] = [];
  for (const r of model.rows) {
    if (r.section !== section) continue;
    const seats: number[] = [];
    for (let i = r.first; i < r.end; i++) if (status[i] === STATUS.available) seats.push(i);
    if (seats.length > 0) out.push({ label: r.label, seats });
  }
  return out;
}

/** The cheapest price among a section's available seats (minor units), or -1 when none is for sale. */
export function cheapestIn(
  model: ChartModel,
  status: Uint8Array,
  categoryPrice: Float64Array,
  section: number,
): number {
  const s = model.sections[section];
  let min = -1;
  for (let i = s.first; i < s.end; i++) {
    if (status[i] !== STATUS.available) continue;
    const p = categoryPrice[model.category[i]];
    if (p >= 0 && (min < 0 || p < min)) min = p;
  }
  return min;
}
