import type { SeatRenderer } from './renderer.ts';

// The figures the map keeps about itself, on window.__seatMapStats for the browser tests
// (first paint after the snapshot, each delta's drawing time, frame times of pan and zoom).

export interface SeatMapStats {
  seats: number;
  /** From the snapshot's arrival (or the first draw, when the chart came later) to the first painted frame, ms. */
  firstPaintMs: number | null;
  /** The first paint's own work (statuses to paints, atlas, layers), ms. */
  firstPaintDrawMs: number | null;
  /** From the snapshot's arrival to the second animation frame after the first paint (it is on screen), ms. */
  firstFrameMs: number | null;
  snapshots: number;
  deltas: number;
  lastDelta: {
    version: number;
    seats: number;
    areas: number;
    drawMs: number;
    repaintedAll: boolean;
    redrawnSeats: number;
  } | null;
  /** Each delta's drawing work, from its arrival, ms. */
  deltaDrawMs: number[];
  /** Each delta from its arrival to the second animation frame after (on screen), ms. */
  deltaFrameMs: number[];
  /** Whole-view redraws (pan, zoom, resize): the drawing work of each, ms; the last 600. */
  frameMs: number[];
  /** Time between consecutive pan/zoom frames (rAF to rAF, under 250 ms apart): the frame time as shown, ms. */
  frameIntervalMs: number[];
  fullRepaints: number;
  partialRepaints: number;
  /**
   * Tests set this to time drawing with its rasterisation: each timed draw then ends with a
   * one-pixel read of every layer, which makes the browser execute the queued canvas commands.
   */
  flushForTiming: boolean;
  /** Where a seat is on the canvas now, CSS pixels from its top left (tests). */
  seatPoint: (id: string) => { x: number; y: number } | null;
  /** The view now, its level of detail and a seat's drawn radius in CSS pixels. */
  view: () => {
    cx: number;
    cy: number;
    k: number;
    width: number;
    height: number;
    mode: string;
    seatRadius: number;
  } | null;
}

export function initStats(seats: number): SeatMapStats {
  return {
    seats,
    firstPaintMs: null,
    firstPaintDrawMs: null,
    firstFrameMs: null,
    snapshots: 0,
    deltas: 0,
    lastDelta: null,
    deltaDrawMs: [],
    deltaFrameMs: [],
    frameMs: [],
    frameIntervalMs: [],
    fullRepaints: 0,
    partialRepaints: 0,
    flushForTiming: false,
    seatPoint: () => null,
    view: () => null,
  };
}

let lastFrameAt = 0;

export function recordFrame(s: SeatMapStats, ms: number, r: SeatRenderer, at = performance.now()): void {
  s.frameMs.push(ms);
  if (s.frameMs.length > 600) s.frameMs.shift();
  if (lastFrameAt > 0 && at - lastFrameAt < 250) {
    s.frameIntervalMs.push(at - lastFrameAt);
    if (s.frameIntervalMs.length > 600) s.frameIntervalMs.shift();
  }
  lastFrameAt = at;
  s.fullRepaints = r.stats.fullRepaints;
  s.partialRepaints = r.stats.partialRepaints;
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
