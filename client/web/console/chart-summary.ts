import type { Chart } from '../../../src/domain/chart.ts';

// What an operator checks in a chart before importing it: how many sections, rows and seats,
// seats per price category, standing areas and their places. Pure.

export interface ChartSummary {
  name: string;
  sections: number;
  rows: number;
  seats: number;
  categories: { id: string; name: string; seats: number; places: number }[];
  areas: { id: string; name: string; capacity: number }[];
  places: number;
  accessible: number;
}

export function summariseChart(chart: Chart): ChartSummary {
  const perCategory = new Map(
    chart.categories.map((c) => [c.id, { id: c.id, name: c.name, seats: 0, places: 0 }]),
  );
  let rows = 0;
  let seats = 0;
  let accessible = 0;
  for (const s of chart.sections) {
    rows += s.rows.length;
    for (const r of s.rows) {
      seats += r.seats.length;
      for (const seat of r.seats) {
        const c = perCategory.get(seat.category);
        if (c) c.seats++;
        if (seat.accessible) accessible++;
      }
    }
  }
  const areas = (chart.gaAreas ?? []).map((a) => {
    const c = perCategory.get(a.category);
    if (c) c.places += a.capacity;
    return { id: a.id, name: a.name, capacity: a.capacity };
  });
  return {
    name: chart.name,
    sections: chart.sections.length,
    rows,
    seats,
    categories: [...perCategory.values()],
    areas,
    places: areas.reduce((n, a) => n + a.capacity, 0),
    accessible,
  };
}
