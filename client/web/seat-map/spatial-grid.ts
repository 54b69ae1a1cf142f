import type { Rect } from './chart-model.ts';

// A uniform grid over the seats (a counting sort by cell, two typed arrays), so drawing the
// visible seats and finding the seat under the pointer cost what is on screen, not 81,450.

export interface SeatGrid {
  minX: number;
  minY: number;
  cell: number;
  cols: number;
  rows: number;
  /** Seats of cell c are order[start[c] .. start[c + 1]). */
  start: Uint32Array;
  order: Uint32Array;
}

export function buildGrid(x: Float32Array, y: Float32Array, bounds: Rect, cell: number): SeatGrid {
  const cols = Math.max(1, Math.ceil((bounds.maxX - bounds.minX) / cell) + 1);
  const rows = Math.max(1, Math.ceil((bounds.maxY - bounds.minY) / cell) + 1);
  const cellOf = new Uint32Array(x.length);
  const start = new Uint32Array(cols * rows + 1);
  for (let i = 0; i < x.length; i++) {
    const c = cellIndex(bounds.minX, bounds.minY, cell, cols, rows, x[i], y[i]);
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cols * rows);
  const order = new Uint32Array(x.length);
  for (let i = 0; i < x.length; i++) order[fill[cellOf[i]]++] = i;
  return { minX: bounds.minX, minY: bounds.minY, cell, cols, rows, start, order };
}

function cellIndex(
  minX: number,
  minY: number,
  cell: number,
  cols: number,
  rows: number,
  x: number,
  y: number,
) {
  const cx = Math.min(cols - 1, Math.max(0, Math.floor((x - minX) / cell)));
  const cy = Math.min(rows - 1, Math.max(0, Math.floor((y - minY) / cell)));
  return cy * cols + cx;
}

/** Calls `fn` for every seat in the cells that overlap `r` (a superset of the seats inside it). */
export function forEachInRect(g: SeatGrid, r: Rect, fn: (seat: number) => void): void {
  const c0 = Math.max(0, Math.floor((r.minX - g.minX) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((r.maxX - g.minX) / g.cell));
  const r0 = Math.max(0, Math.floor((r.minY - g.minY) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((r.maxY - g.minY) / g.cell));
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      const c = row * g.cols + col;
      for (let i = g.start[c]; i < g.start[c + 1]; i++) fn(g.order[i]);
    }
  }
}

/** The seat nearest (x, y) within `radius`, or -1. */
export function nearestSeat(
  g: SeatGrid,
  x: Float32Array,
  y: Float32Array,
  px: number,
  py: number,
  radius: number,
): number {
  let best = -1;
  let bestD = radius * radius;
  forEachInRect(g, { minX: px - radius, minY: py - radius, maxX: px + radius, maxY: py + radius }, (s) => {
    const d = (x[s] - px) ** 2 + (y[s] - py) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = s;
    }
  });
  return best;
}
