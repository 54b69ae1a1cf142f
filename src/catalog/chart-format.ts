import { z } from 'zod';
import { CHART_FORMAT, type Chart, ChartError, compileChart } from '../domain/chart.ts';
import { CatalogError } from './errors.ts';

// The seat-chart JSON format (docs/chart-format.md) and its validation. The shape is checked
// first (types, required and unknown keys), then the meaning: unique ids, known categories,
// seats inside their section. Every problem names its code, where it is, and what is wrong.

/** Most seats a chart may have (the largest stadiums hold about 100,000 seats). */
export const MAX_SEATS = 200_000;
/** Most problems reported for one chart. */
const MAX_PROBLEMS = 50;

export interface ChartProblem {
  code:
    | 'CHART_SCHEMA'
    | 'CHART_FORMAT'
    | 'CHART_EMPTY'
    | 'CHART_TOO_LARGE'
    | 'CHART_DUPLICATE_CATEGORY'
    | 'CHART_DUPLICATE_SECTION'
    | 'CHART_DUPLICATE_ROW'
    | 'CHART_DUPLICATE_SEAT'
    | 'CHART_DUPLICATE_AREA'
    | 'CHART_UNKNOWN_CATEGORY'
    | 'CHART_SEAT_OUTSIDE_SECTION'
    | 'CHART_BAD_BOUNDS'
    | 'CHART_INVALID';
  /** Where, as a path into the document: `sections[2].rows[0].seats[5]`. */
  path: string;
  message: string;
}

export type ChartValidation =
  | { ok: true; chart: Chart; seats: number; gaCapacity: number }
  | { ok: false; problems: ChartProblem[]; more: number };

const id = z.string().min(1).max(128);
const name = z.string().min(1).max(200);
const coord = z.number().min(-1e6).max(1e6);

const seatSchema = z
  .object({
    id,
    number: z.string().min(1).max(32),
    x: coord,
    y: coord,
    category: id,
    accessible: z.boolean().optional(),
    companion: z.boolean().optional(),
    restrictedView: z.boolean().optional(),
    section: id.optional(),
  })
  .strict();

const boundsSchema = z.object({ minX: coord, minY: coord, maxX: coord, maxY: coord }).strict();

const sectionSchema = z
  .object({
    id,
    name,
    bounds: boundsSchema.optional(),
    rows: z.array(
      z.object({ label: z.string().min(1).max(32), seats: z.array(seatSchema).max(65_535) }).strict(),
    ),
  })
  .strict();

const areaSchema = z
  .object({
    id,
    name,
    category: id,
    capacity: z.number().int().min(0).max(1_000_000),
    x: coord,
    y: coord,
  })
  .strict();

export const chartSchema = z
  .object({
    format: z.string().optional(),
    id,
    name,
    focal: z.object({ x: coord, y: coord }).strict(),
    categories: z.array(z.object({ id, name }).strict()).min(1).max(255),
    sections: z.array(sectionSchema).max(65_535),
    gaAreas: z.array(areaSchema).max(1000).default([]),
  })
  .strict();

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(chart)';
}

const quote = (s: string) => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

/** Checks a chart document; on success returns it typed, with its seat and GA totals. */
export function validateChart(input: unknown): ChartValidation {
  const problems: ChartProblem[] = [];
  let more = 0;
  const report = (code: ChartProblem['code'], path: string, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ code, path, message });
    else more++;
  };

  const parsed = chartSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      report('CHART_SCHEMA', pathOf(issue.path), issue.message);
    }
    return { ok: false, problems, more };
  }
  const chart = parsed.data as Chart;
  if (chart.format !== undefined && chart.format !== CHART_FORMAT) {
    report(
      'CHART_FORMAT',
      'format',
      `unknown format ${quote(chart.format)}; this server reads "${CHART_FORMAT}"`,
    );
  }

  const categories = new Set<string>();
  chart.categories.forEach((c, i) => {
    if (categories.has(c.id))
      report('CHART_DUPLICATE_CATEGORY', `categories[${i}]`, `duplicate category id ${quote(c.id)}`);
    categories.add(c.id);
  });

  let seats = 0;
  const sectionIds = new Map<string, number>();
  const seatIds = new Map<string, string>();
  chart.sections.forEach((section, si) => {
    const sp = `sections[${si}]`;
    if (sectionIds.has(section.id)) {
      report(
        'CHART_DUPLICATE_SECTION',
        sp,
        `duplicate section id ${quote(section.id)} (also sections[${sectionIds.get(section.id)}])`,
      );
    } else sectionIds.set(section.id, si);
    const b = section.bounds;
    if (b && (b.minX > b.maxX || b.minY > b.maxY)) {
      report(
        'CHART_BAD_BOUNDS',
        `${sp}.bounds`,
        `section ${quote(section.id)} has bounds with min above max`,
      );
    }
    const labels = new Set<string>();
    section.rows.forEach((row, ri) => {
      const rp = `${sp}.rows[${ri}]`;
      if (labels.has(row.label)) {
        report(
          'CHART_DUPLICATE_ROW',
          rp,
          `section ${quote(section.id)} has two rows labelled ${quote(row.label)}`,
        );
      }
      labels.add(row.label);
      row.seats.forEach((seat, ki) => {
        seats++;
        const p = `${rp}.seats[${ki}]`;
        const first = seatIds.get(seat.id);
        if (first !== undefined)
          report('CHART_DUPLICATE_SEAT', p, `duplicate seat id ${quote(seat.id)} (first at ${first})`);
        else seatIds.set(seat.id, p);
        if (!categories.has(seat.category)) {
          report(
            'CHART_UNKNOWN_CATEGORY',
            p,
            `seat ${quote(seat.id)} has unknown category ${quote(seat.category)}`,
          );
        }
        if (seat.section !== undefined && seat.section !== section.id) {
          report(
            'CHART_SEAT_OUTSIDE_SECTION',
            p,
            `seat ${quote(seat.id)} names section ${quote(seat.section)} but is listed in section ${quote(section.id)}`,
          );
        } else if (b && (seat.x < b.minX || seat.x > b.maxX || seat.y < b.minY || seat.y > b.maxY)) {
          report(
            'CHART_SEAT_OUTSIDE_SECTION',
            p,
            `seat ${quote(seat.id)} at (${seat.x}, ${seat.y}) lies outside section ${quote(section.id)}'s bounds ` +
              `(${b.minX}..${b.maxX}, ${b.minY}..${b.maxY})`,
          );
        }
      });
    });
  });
  if (seats > MAX_SEATS) {
    report('CHART_TOO_LARGE', 'sections', `${seats} seats; a chart holds at most ${MAX_SEATS}`);
  }

  let gaCapacity = 0;
  const areaIds = new Map<string, number>();
  chart.gaAreas.forEach((a, i) => {
    const p = `gaAreas[${i}]`;
    if (areaIds.has(a.id))
      report(
        'CHART_DUPLICATE_AREA',
        p,
        `duplicate area id ${quote(a.id)} (also gaAreas[${areaIds.get(a.id)}])`,
      );
    else areaIds.set(a.id, i);
    if (!categories.has(a.category)) {
      report('CHART_UNKNOWN_CATEGORY', p, `area ${quote(a.id)} has unknown category ${quote(a.category)}`);
    }
    gaCapacity += a.capacity;
  });
  if (seats === 0 && gaCapacity === 0)
    report('CHART_EMPTY', '(chart)', 'the chart has no seats and no standing places');

  if (problems.length === 0) {
    // The domain's compiler is the last word (it is what the event actor will run on).
    try {
      compileChart(chart);
    } catch (e) {
      if (!(e instanceof ChartError)) throw e;
      report('CHART_INVALID', '(chart)', e.message);
    }
  }
  return problems.length > 0 ? { ok: false, problems, more } : { ok: true, chart, seats, gaCapacity };
}

/** A chart with problems, as a 400 whose body lists them (see the routes). */
export class InvalidChart extends CatalogError {
  constructor(
    readonly problems: ChartProblem[],
    readonly more: number,
  ) {
    const first = problems[0];
    super('INVALID_CHART', first ? `${first.path}: ${first.message}` : 'invalid chart', {
      details: { problems, more },
    });
  }
}

/** Validates a chart document or throws InvalidChart listing its problems. */
export function checkChart(json: unknown): { chart: Chart; seats: number; gaCapacity: number } {
  const v = validateChart(json);
  if (!v.ok) throw new InvalidChart(v.problems, v.more);
  return { chart: v.chart, seats: v.seats, gaCapacity: v.gaCapacity };
}
