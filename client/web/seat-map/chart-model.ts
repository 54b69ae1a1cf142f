import type { Chart } from '../../../src/domain/chart.ts';

// The chart as the map draws it: seats flattened into typed arrays by seat number (the
// socket's numbering: sections → rows → seats), section outlines and label points, the
// standing areas and the stage. Built once per chart; pure, so it is tested without a DOM.

export type { Chart } from '../../../src/domain/chart.ts';

export const FLAG_ACCESSIBLE = 1;
export const FLAG_COMPANION = 2;
export const FLAG_RESTRICTED = 4;

export interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface SectionShape {
  id: string;
  name: string;
  /** Seat numbers first..last (inclusive..exclusive) belong to this section. */
  first: number;
  end: number;
  /** The outline around its seats, world coordinates, flat [x, y, x, y, …]. */
  outline: number[];
  /** Where its label goes zoomed out: the middle seat of its middle row. */
  labelX: number;
  labelY: number;
  /** Zoomed in, where seats are drawn: in front of its first row's middle seat, towards the stage. */
  nameX: number;
  nameY: number;
  bounds: Rect;
}

export interface RowInfo {
  section: number;
  label: string;
  first: number;
  end: number;
}

export interface AreaShape {
  id: string;
  name: string;
  category: number;
  capacity: number;
  x: number;
  y: number;
  /** Half the side of the square it is drawn as, world units. */
  half: number;
}

export interface ChartModel {
  id: string;
  name: string;
  seatCount: number;
  seatIds: string[];
  seatNumbers: string[];
  seatIndex: Map<string, number>;
  x: Float32Array;
  y: Float32Array;
  /** Index into `categories`. */
  category: Uint8Array;
  section: Uint16Array;
  row: Uint32Array;
  flags: Uint8Array;
  categories: { id: string; name: string }[];
  sections: SectionShape[];
  rows: RowInfo[];
  areas: AreaShape[];
  stage: Rect;
  /** Typical distance between neighbouring seats of a row, world units. */
  pitch: number;
  /** Everything drawn, stage and areas included, with a margin. */
  bounds: Rect;
}

const emptyRect = (): Rect => ({ minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity });
function grow(r: Rect, x: number, y: number): void {
  if (x < r.minX) r.minX = x;
  if (x > r.maxX) r.maxX = x;
  if (y < r.minY) r.minY = y;
  if (y > r.maxY) r.maxY = y;
}

/** Median of up to a few thousand sampled gaps between consecutive seats of a row. */
function seatPitch(chart: Chart): number {
  const gaps: number[] = [];
  for (const s of chart.sections) {
    for (const r of s.rows) {
      const step = Math.max(1, Math.floor(r.seats.length / 8));
      for (let i = step; i < r.seats.length; i += step) {
        const a = r.seats[i - 1];
        const b = r.seats[i];
        const d = Math.hypot(a.x - b.x, a.y - b.y);
        if (d > 0) gaps.push(d);
      }
      if (gaps.length > 4000) break;
    }
  }
  if (gaps.length === 0) return 1;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/**
 * A section's outline: down its rows' first seats, across its last row, back up its rows'
 * last seats and across its first row, so curved rows give curved edges. Charts whose rows
 * do not run side by side still get a closed shape around every seat, if a rougher one.
 */
function outlineOf(s: Chart['sections'][number]): number[] {
  const rows = s.rows.filter((r) => r.seats.length > 0);
  if (rows.length === 0) return [];
  const out: number[] = [];
  const last = rows[rows.length - 1];
  for (const r of rows) out.push(r.seats[0].x, r.seats[0].y);
  for (let i = 1; i < last.seats.length; i++) out.push(last.seats[i].x, last.seats[i].y);
  for (let j = rows.length - 2; j >= 0; j--) {
    const seats = rows[j].seats;
    out.push(seats[seats.length - 1].x, seats[seats.length - 1].y);
  }
  const first = rows[0].seats;
  for (let i = first.length - 2; i > 0; i--) out.push(first[i].x, first[i].y);
  return out;
}

/** Builds the model; a chart without seats or areas is refused with a clear error. */
export function buildChartModel(chart: Chart): ChartModel {
  if (!chart || !Array.isArray(chart.sections) || !Array.isArray(chart.categories)) {
    throw new Error('not a seat chart: sections and categories are required (docs/chart-format.md)');
  }
  const gaAreas = chart.gaAreas ?? [];
  let seatCount = 0;
  for (const s of chart.sections) for (const r of s.rows) seatCount += r.seats.length;
  if (seatCount === 0 && gaAreas.length === 0) throw new Error(`chart ${chart.id} has no seats and no areas`);

  const catIndex = new Map(chart.categories.map((c, i) => [c.id, i]));
  const x = new Float32Array(seatCount);
  const y = new Float32Array(seatCount);
  const category = new Uint8Array(seatCount);
  const section = new Uint16Array(seatCount);
  const row = new Uint32Array(seatCount);
  const flags = new Uint8Array(seatCount);
  const seatIds: string[] = new Array(seatCount);
  const seatNumbers: string[] = new Array(seatCount);
  const seatIndex = new Map<string, number>();
  const sections: SectionShape[] = [];
  const rows: RowInfo[] = [];
  const seatBounds = emptyRect();

  let n = 0;
  chart.sections.forEach((s, si) => {
    const first = n;
    const bounds = emptyRect();
    for (const r of s.rows) {
      const rowFirst = n;
      for (const seat of r.seats) {
        x[n] = seat.x;
        y[n] = seat.y;
        category[n] = catIndex.get(seat.category) ?? 255;
        section[n] = si;
        row[n] = rows.length;
        flags[n] =
          (seat.accessible ? FLAG_ACCESSIBLE : 0) |
          (seat.companion ? FLAG_COMPANION : 0) |
          (seat.restrictedView ? FLAG_RESTRICTED : 0);
        seatIds[n] = seat.id;
        seatNumbers[n] = seat.number;
        seatIndex.set(seat.id, n);
        grow(bounds, seat.x, seat.y);
        n++;
      }
      rows.push({ section: si, label: r.label, first: rowFirst, end: n });
    }
    const mid = s.rows[s.rows.length >> 1]?.seats ?? [];
    const labelSeat = mid[mid.length >> 1];
    const front = s.rows[0]?.seats ?? [];
    const frontSeat = front[front.length >> 1];
    sections.push({
      id: s.id,
      name: s.name,
      first,
      end: n,
      outline: outlineOf(s),
      labelX: labelSeat ? labelSeat.x : (bounds.minX + bounds.maxX) / 2,
      labelY: labelSeat ? labelSeat.y : (bounds.minY + bounds.maxY) / 2,
      nameX: frontSeat ? frontSeat.x : (bounds.minX + bounds.maxX) / 2,
      nameY: frontSeat ? frontSeat.y : bounds.minY,
      bounds,
    });
    if (n > first) {
      grow(seatBounds, bounds.minX, bounds.minY);
      grow(seatBounds, bounds.maxX, bounds.maxY);
    }
  });

  const pitch = seatPitch(chart);
  const focal = chart.focal ?? { x: 0, y: 0 };
  for (const sec of sections) {
    const dx = focal.x - sec.nameX;
    const dy = focal.y - sec.nameY;
    const d = Math.hypot(dx, dy) || 1;
    sec.nameX += (dx / d) * pitch * 2;
    sec.nameY += (dy / d) * pitch * 2;
  }
  // The nearest seat sets the stage's size.
  let nearest = Infinity;
  for (let i = 0; i < seatCount; i += Math.max(1, Math.floor(seatCount / 5000))) {
    nearest = Math.min(nearest, Math.hypot(x[i] - focal.x, y[i] - focal.y));
  }
  const areas: AreaShape[] = gaAreas.map((a) => {
    // A square as large as it can be without touching seats, other areas or the stage.
    let room = Infinity;
    for (const b of gaAreas)
      if (b !== a) room = Math.min(room, Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y)) / 2);
    for (let i = 0; i < seatCount; i += Math.max(1, Math.floor(seatCount / 5000))) {
      room = Math.min(room, Math.max(Math.abs(a.x - x[i]), Math.abs(a.y - y[i])) - pitch);
    }
    room = Math.min(room, Math.hypot(a.x - focal.x, a.y - focal.y) / 2);
    const half = Number.isFinite(room) && room > 0 ? room * 0.85 : Math.max(pitch * 4, 2);
    return {
      id: a.id,
      name: a.name,
      category: catIndex.get(a.category) ?? 255,
      capacity: a.capacity,
      x: a.x,
      y: a.y,
      half,
    };
  });
  // The stage: a wide block at the focal point, half as wide as the nearest seats are far,
  // shrunk until it clears every standing area.
  let hw = Number.isFinite(nearest) && nearest > 0 ? nearest * 0.5 : pitch * 10;
  const clear = (w: number) =>
    areas.every((a) => Math.abs(a.x - focal.x) > w + a.half || Math.abs(a.y - focal.y) > w * 0.3 + a.half);
  for (let i = 0; i < 20 && !clear(hw); i++) hw *= 0.8;
  const stage = {
    minX: focal.x - hw,
    maxX: focal.x + hw,
    minY: focal.y - hw * 0.3,
    maxY: focal.y + hw * 0.3,
  };

  const bounds = emptyRect();
  if (seatCount > 0) {
    grow(bounds, seatBounds.minX, seatBounds.minY);
    grow(bounds, seatBounds.maxX, seatBounds.maxY);
  }
  for (const a of areas) {
    grow(bounds, a.x - a.half, a.y - a.half);
    grow(bounds, a.x + a.half, a.y + a.half);
  }
  grow(bounds, stage.minX, stage.minY);
  grow(bounds, stage.maxX, stage.maxY);
  const margin = Math.max(pitch * 2, (bounds.maxX - bounds.minX) * 0.02);
  bounds.minX -= margin;
  bounds.minY -= margin;
  bounds.maxX += margin;
  bounds.maxY += margin;

  return {
    id: chart.id,
    name: chart.name,
    seatCount,
    seatIds,
    seatNumbers,
    seatIndex,
    x,
    y,
    category,
    section,
    row,
    flags,
    categories: chart.categories.map((c) => ({ id: c.id, name: c.name })),
    sections,
    rows,
    areas,
    stage,
    pitch,
    bounds,
  };
}

const built = new WeakMap<Chart, ChartModel>();

/** The model of a chart document, built once per document (the page and the map share it). */
export function chartModel(chart: Chart): ChartModel {
  let m = built.get(chart);
  if (!m) {
    m = buildChartModel(chart);
    built.set(chart, m);
  }
  return m;
}
