// A venue chart as operators author it (JSON), and the compiled, array-based layout the
// seat state indexes into. The layout is static for an event; only seat state changes.

export interface ChartSeat {
  id: string;
  number: string;
  x: number;
  y: number;
  category: string;
  accessible?: boolean;
  companion?: boolean;
  restrictedView?: boolean;
  /** The id of the section the seat belongs to; when given it must be its section's. */
  section?: string;
}

export interface ChartRow {
  label: string;
  seats: ChartSeat[];
}

/** The rectangle a section occupies; its seats must lie inside it (edges included). */
export interface ChartBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface ChartSection {
  id: string;
  name: string;
  bounds?: ChartBounds;
  rows: ChartRow[];
}

export interface ChartGaArea {
  id: string;
  name: string;
  category: string;
  capacity: number;
  x: number;
  y: number;
}

export interface ChartCategory {
  id: string;
  name: string;
}

/** The documented JSON format (docs/chart-format.md). */
export const CHART_FORMAT = 'onsale.chart/1';

export interface Chart {
  format?: typeof CHART_FORMAT;
  id: string;
  name: string;
  focal: { x: number; y: number };
  categories: ChartCategory[];
  sections: ChartSection[];
  gaAreas: ChartGaArea[];
}

export const SEAT_ACCESSIBLE = 1;
export const SEAT_COMPANION = 2;
export const SEAT_RESTRICTED_VIEW = 4;

/** Compiled chart: seats are numbered 0..seatCount-1 in section, row, seat order. */
export interface Layout {
  chartId: string;
  seatCount: number;
  seatIds: string[];
  seatIndex: Map<string, number>;
  seatNumber: string[];
  seatRow: Uint32Array;
  seatCategory: Uint8Array;
  seatFlags: Uint8Array;
  seatX: Float32Array;
  seatY: Float32Array;
  /** Distance to the focal point, the ranking key of best-available. */
  seatDist: Float32Array;
  rowCount: number;
  rowLabel: string[];
  rowSection: Uint16Array;
  rowStart: Uint32Array;
  rowLength: Uint16Array;
  rowMinDist: Float32Array;
  /** Row numbers sorted by their closest seat to the focal point. */
  rowsByDistance: Uint32Array;
  sections: { id: string; name: string }[];
  sectionIndex: Map<string, number>;
  categories: ChartCategory[];
  categoryIndex: Map<string, number>;
  areas: { id: string; name: string; category: number; capacity: number }[];
  areaIndex: Map<string, number>;
}

export class ChartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Compiles a chart into typed arrays; throws ChartError naming the first problem found. */
export function compileChart(chart: Chart): Layout {
  if (chart.categories.length === 0 || chart.categories.length > 255) {
    throw new ChartError('CHART_CATEGORIES', 'a chart needs between 1 and 255 categories');
  }
  const categoryIndex = new Map<string, number>();
  chart.categories.forEach((c, i) => {
    if (categoryIndex.has(c.id)) throw new ChartError('CHART_DUPLICATE', `duplicate category id "${c.id}"`);
    categoryIndex.set(c.id, i);
  });
  let seatCount = 0;
  let rowCount = 0;
  for (const s of chart.sections) {
    rowCount += s.rows.length;
    for (const r of s.rows) seatCount += r.seats.length;
  }
  if (chart.sections.length > 65535) throw new ChartError('CHART_TOO_LARGE', 'at most 65,535 sections');
  const layout: Layout = {
    chartId: chart.id,
    seatCount,
    seatIds: new Array(seatCount),
    seatIndex: new Map(),
    seatNumber: new Array(seatCount),
    seatRow: new Uint32Array(seatCount),
    seatCategory: new Uint8Array(seatCount),
    seatFlags: new Uint8Array(seatCount),
    seatX: new Float32Array(seatCount),
    seatY: new Float32Array(seatCount),
    seatDist: new Float32Array(seatCount),
    rowCount,
    rowLabel: new Array(rowCount),
    rowSection: new Uint16Array(rowCount),
    rowStart: new Uint32Array(rowCount),
    rowLength: new Uint16Array(rowCount),
    rowMinDist: new Float32Array(rowCount),
    rowsByDistance: new Uint32Array(rowCount),
    sections: [],
    sectionIndex: new Map(),
    categories: chart.categories.map((c) => ({ id: c.id, name: c.name })),
    categoryIndex,
    areas: [],
    areaIndex: new Map(),
  };
  let seat = 0;
  let row = 0;
  for (const section of chart.sections) {
    if (layout.sectionIndex.has(section.id)) {
      throw new ChartError('CHART_DUPLICATE', `duplicate section id "${section.id}"`);
    }
    const sectionNo = layout.sections.length;
    layout.sectionIndex.set(section.id, sectionNo);
    layout.sections.push({ id: section.id, name: section.name });
    for (const r of section.rows) {
      if (r.seats.length > 65535) throw new ChartError('CHART_TOO_LARGE', 'at most 65,535 seats in a row');
      layout.rowLabel[row] = r.label;
      layout.rowSection[row] = sectionNo;
      layout.rowStart[row] = seat;
      layout.rowLength[row] = r.seats.length;
      let minDist = Number.POSITIVE_INFINITY;
      for (const s of r.seats) {
        if (layout.seatIndex.has(s.id))
          throw new ChartError('CHART_DUPLICATE', `duplicate seat id "${s.id}"`);
        const category = categoryIndex.get(s.category);
        if (category === undefined) {
          throw new ChartError(
            'CHART_UNKNOWN_CATEGORY',
            `seat "${s.id}" has unknown category "${s.category}"`,
          );
        }
        if (!Number.isFinite(s.x) || !Number.isFinite(s.y)) {
          throw new ChartError('CHART_COORDINATES', `seat "${s.id}" has no finite x/y`);
        }
        layout.seatIndex.set(s.id, seat);
        layout.seatIds[seat] = s.id;
        layout.seatNumber[seat] = s.number;
        layout.seatRow[seat] = row;
        layout.seatCategory[seat] = category;
        layout.seatFlags[seat] =
          (s.accessible ? SEAT_ACCESSIBLE : 0) |
          (s.companion ? SEAT_COMPANION : 0) |
          (s.restrictedView ? SEAT_RESTRICTED_VIEW : 0);
        layout.seatX[seat] = s.x;
        layout.seatY[seat] = s.y;
        const d = Math.hypot(s.x - chart.focal.x, s.y - chart.focal.y);
        layout.seatDist[seat] = d;
        if (d < minDist) minDist = d;
        seat++;
      }
      layout.rowMinDist[row] = minDist;
      row++;
    }
  }
  const order = Array.from({ length: rowCount }, (_, i) => i);
  order.sort((a, b) => layout.rowMinDist[a] - layout.rowMinDist[b] || a - b);
  layout.rowsByDistance.set(order);
  for (const a of chart.gaAreas) {
    if (layout.areaIndex.has(a.id)) throw new ChartError('CHART_DUPLICATE', `duplicate area id "${a.id}"`);
    const category = categoryIndex.get(a.category);
    if (category === undefined) {
      throw new ChartError('CHART_UNKNOWN_CATEGORY', `area "${a.id}" has unknown category "${a.category}"`);
    }
    if (!Number.isInteger(a.capacity) || a.capacity < 0) {
      throw new ChartError('CHART_CAPACITY', `area "${a.id}" needs a whole, non-negative capacity`);
    }
    layout.areaIndex.set(a.id, layout.areas.length);
    layout.areas.push({ id: a.id, name: a.name, category, capacity: a.capacity });
  }
  return layout;
}

/** "Section 101, Row C, Seat 12" style label for receipts and tickets. */
export function seatLabel(layout: Layout, seat: number): string {
  const row = layout.seatRow[seat];
  const section = layout.sections[layout.rowSection[row]];
  return `${section.name}, Row ${layout.rowLabel[row]}, Seat ${layout.seatNumber[seat]}`;
}
