import { CHART_FORMAT, type Chart, type ChartGaArea, type ChartSeat, type ChartSection } from './chart.ts';

// Realistic venue charts for the demo, the tests and the benchmarks: curved rows in tiers
// around a stage, price categories by tier and centrality, wheelchair places with companion
// seats at row ends, restricted views at the far sides, and a general-admission floor.

export type VenueKind = 'theatre' | 'arena' | 'stadium';

interface Tier {
  sections: number;
  rows: number;
  /** Distance of the first row from the stage, metres. */
  radius: number;
  /** Angular span of the whole tier, degrees, centred on the axis facing the stage. */
  span: number;
}

interface VenueSpec {
  name: string;
  stage: { x: number; y: number };
  tiers: Tier[];
  ga: { name: string; capacity: number }[];
}

const SPECS: Record<VenueKind, VenueSpec> = {
  theatre: {
    name: 'Grand Theatre',
    stage: { x: 0, y: 0 },
    tiers: [
      { sections: 3, rows: 22, radius: 5, span: 120 },
      { sections: 3, rows: 10, radius: 22, span: 110 },
    ],
    ga: [],
  },
  arena: {
    name: 'City Arena',
    stage: { x: 0, y: 0 },
    tiers: [
      { sections: 12, rows: 24, radius: 18, span: 270 },
      { sections: 18, rows: 28, radius: 40, span: 290 },
    ],
    ga: [{ name: 'Floor', capacity: 2500 }],
  },
  stadium: {
    name: 'National Stadium',
    stage: { x: 0, y: 0 },
    tiers: [
      { sections: 24, rows: 34, radius: 60, span: 310 },
      { sections: 30, rows: 34, radius: 92, span: 320 },
      { sections: 36, rows: 30, radius: 124, span: 320 },
    ],
    ga: [
      { name: 'Floor A', capacity: 6000 },
      { name: 'Floor B', capacity: 6000 },
    ],
  },
};

const SEAT_PITCH = 0.55;
const ROW_DEPTH = 0.85;
const CATEGORIES = [
  { id: 'P1', name: 'Premium' },
  { id: 'P2', name: 'Category 1' },
  { id: 'P3', name: 'Category 2' },
  { id: 'P4', name: 'Category 3' },
];

function rowLabel(i: number): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  return i < letters.length
    ? letters[i]
    : `${letters[Math.floor(i / letters.length) - 1]}${letters[i % letters.length]}`;
}

/** The smallest rectangle around a section's seats, widened by half a seat pitch. */
function boundsOf(rows: { seats: ChartSeat[] }[]): ChartSection['bounds'] {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    for (const s of r.seats) {
      minX = Math.min(minX, s.x);
      minY = Math.min(minY, s.y);
      maxX = Math.max(maxX, s.x);
      maxY = Math.max(maxY, s.y);
    }
  }
  const m = SEAT_PITCH / 2;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return { minX: r2(minX - m), minY: r2(minY - m), maxX: r2(maxX + m), maxY: r2(maxY + m) };
}

/** Generates a venue chart; the same kind always yields the same chart. */
export function generateChart(kind: VenueKind, id: string = kind): Chart {
  const spec = SPECS[kind];
  const sections: ChartSection[] = [];
  spec.tiers.forEach((tier, t) => {
    const perSection = tier.span / tier.sections;
    for (let s = 0; s < tier.sections; s++) {
      // Angles measured from the axis facing the stage; 0 is dead centre.
      const from = -tier.span / 2 + s * perSection;
      const centre = Math.abs(from + perSection / 2) / (tier.span / 2);
      const sectionId = `${t + 1}${String(s + 1).padStart(2, '0')}`;
      const rows = [];
      for (let r = 0; r < tier.rows; r++) {
        const radius = tier.radius + r * ROW_DEPTH;
        const arc = ((perSection - 2) * Math.PI * radius) / 180; // 1° aisle each side
        const count = Math.max(4, Math.floor(arc / SEAT_PITCH));
        const label = rowLabel(r);
        const seats: ChartSeat[] = [];
        for (let n = 0; n < count; n++) {
          const angle = ((from + 1 + ((perSection - 2) * (n + 0.5)) / count) * Math.PI) / 180;
          const premium = t === 0 && centre < 0.35 && r < tier.rows / 2;
          const catNo = premium ? 0 : Math.min(3, t + (centre > 0.6 ? 1 : 0) + (r >= tier.rows / 2 ? 1 : 0));
          const seat: ChartSeat = {
            id: `${sectionId}-${label}-${n + 1}`,
            number: String(n + 1),
            x: Math.round((spec.stage.x + Math.sin(angle) * radius) * 100) / 100,
            y: Math.round((spec.stage.y + Math.cos(angle) * radius) * 100) / 100,
            category: CATEGORIES[catNo].id,
          };
          // Wheelchair places on the last row of each lower-tier section, each with a companion seat.
          if (t === 0 && r === tier.rows - 1 && (n === 0 || n === count - 1)) seat.accessible = true;
          if (t === 0 && r === tier.rows - 1 && (n === 1 || n === count - 2)) seat.companion = true;
          if (centre > 0.9 && r >= tier.rows - 3) seat.restrictedView = true;
          seats.push(seat);
        }
        rows.push({ label, seats });
      }
      sections.push({ id: sectionId, name: `Section ${sectionId}`, bounds: boundsOf(rows), rows });
    }
  });
  const gaAreas: ChartGaArea[] = spec.ga.map((g, i) => ({
    id: `GA${i + 1}`,
    name: g.name,
    category: 'P2',
    capacity: g.capacity,
    x: spec.stage.x + (i - (spec.ga.length - 1) / 2) * 20,
    y: spec.stage.y + 25,
  }));
  return {
    format: CHART_FORMAT,
    id,
    name: spec.name,
    focal: { ...spec.stage },
    categories: CATEGORIES.map((c) => ({ ...c })),
    sections,
    gaAreas,
  };
}

/** Default prices (in cents) per category for generated charts. */
export function defaultPrices(chart: Chart): Record<string, number> {
  const base = [24900, 14900, 9900, 5900];
  return Object.fromEntries(chart.categories.map((c, i) => [c.id, base[i % base.length]]));
}
