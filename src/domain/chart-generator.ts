import { CHART_FORMAT, type Chart, type ChartGaArea, type ChartSeat, type ChartSection } from './chart.ts';

// Realistic venue charts for the demo, the tests and the benchmarks: curved rows in tiers
// around a stage, price categories by tier and centrality, wheelchair places with companion
// seats at row ends, restricted views at the far sides, and a general-admission floor.

export type VenueKind = 'theatre' | 'arena' | 'stadium';

interface Tier {
  sections: number;
  rows: number;
  /**
   * Distance of the first row from the stage, metres. Omitted above the first tier: the tier
   * then starts TIER_AISLE beyond the previous tier's last row. Given, it must leave at least
   * that aisle (generateChart throws otherwise), so no template can draw seats over seats.
   */
  radius?: number;
  /** Angular span of the whole tier, degrees, centred on the axis facing the stage. */
  span: number;
}

interface VenueSpec {
  name: string;
  stage: { x: number; y: number };
  /** The first tier's radius bounds the floor in front of the stage, so it is always given. */
  tiers: [Tier & { radius: number }, ...Tier[]];
  ga: { name: string; capacity: number }[];
}

const SPECS: Record<VenueKind, VenueSpec> = {
  theatre: {
    name: 'Grand Theatre',
    stage: { x: 0, y: 0 },
    tiers: [
      { sections: 3, rows: 22, radius: 5, span: 120 },
      // The circle: derived, so it starts TIER_AISLE behind the stalls' last row (at 22.85 m), not over it.
      { sections: 3, rows: 10, span: 110 },
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

/** Seat centres along a row, metres (measured on the row's arc). */
export const SEAT_PITCH = 0.55;
/** Row centres one behind the other, metres; deeper than SEAT_PITCH, so rows never touch. */
export const ROW_DEPTH = 0.85;
/** The cross-aisle between one tier's last row and the next tier's first: two rows deep. */
export const TIER_AISLE = 2 * ROW_DEPTH;
/** The aisle on each side of a section, degrees: sections of a tier never share an edge. */
const SECTION_AISLE = 1;
/** Fewest seats a row may have; a template whose row is shorter is a template bug. */
const MIN_ROW_SEATS = 4;
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

/**
 * Each tier's first-row radius: as given, or TIER_AISLE beyond the previous tier's last row.
 * Tiers are concentric rings, so a ring that starts an aisle beyond the last one ends keeps
 * every seat of it an aisle away from every seat below, whatever the spans.
 */
function tierRadii(kind: VenueKind, spec: VenueSpec): number[] {
  const radii: number[] = [];
  spec.tiers.forEach((tier, t) => {
    const prev = spec.tiers[t - 1];
    const min = prev ? radii[t - 1] + (prev.rows - 1) * ROW_DEPTH + TIER_AISLE : 0;
    const radius = Math.round((tier.radius ?? min) * 100) / 100;
    if (radius < min - 1e-9 || radius <= 0) {
      throw new Error(`${kind}: tier ${t + 1} starts at ${radius} m, closer than the aisle at ${min} m`);
    }
    // Beyond a full turn the first and last sections would wrap onto each other.
    if (tier.span > 360) throw new Error(`${kind}: tier ${t + 1} spans more than 360°`);
    radii.push(radius);
  });
  return radii;
}

/**
 * Standing floors stand between the stage and the first tier: on the line halfway out to the
 * first row, spread across its middle. The farthest is then under R/√2 from the stage, so at
 * least 0.29 R from every seat; a first tier too close for an aisle's clearance is refused.
 */
function gaAreas(kind: VenueKind, spec: VenueSpec, firstRadius: number): ChartGaArea[] {
  const n = spec.ga.length;
  const spacing = firstRadius / (n + 1);
  return spec.ga.map((g, i) => {
    const dx = (i - (n - 1) / 2) * spacing;
    const dy = firstRadius / 2;
    if (firstRadius - Math.hypot(dx, dy) < TIER_AISLE) {
      throw new Error(`${kind}: the floor inside ${firstRadius} m has no room for ${g.name}`);
    }
    return {
      id: `GA${i + 1}`,
      name: g.name,
      category: 'P2',
      capacity: g.capacity,
      x: Math.round((spec.stage.x + dx) * 100) / 100,
      y: Math.round((spec.stage.y + dy) * 100) / 100,
    };
  });
}

/** Generates a venue chart; the same kind always yields the same chart. */
export function generateChart(kind: VenueKind, id: string = kind): Chart {
  const spec = SPECS[kind];
  const radii = tierRadii(kind, spec);
  const sections: ChartSection[] = [];
  spec.tiers.forEach((tier, t) => {
    const perSection = tier.span / tier.sections;
    const inner = perSection - 2 * SECTION_AISLE;
    for (let s = 0; s < tier.sections; s++) {
      // Angles measured from the axis facing the stage; 0 is dead centre.
      const from = -tier.span / 2 + s * perSection;
      const centre = Math.abs(from + perSection / 2) / (tier.span / 2);
      const sectionId = `${t + 1}${String(s + 1).padStart(2, '0')}`;
      const rows = [];
      for (let r = 0; r < tier.rows; r++) {
        const radius = radii[t] + r * ROW_DEPTH;
        const arc = (inner * Math.PI * radius) / 180;
        // At least SEAT_PITCH of arc per seat; padding a short row would squeeze seats together.
        const count = Math.floor(arc / SEAT_PITCH);
        if (count < MIN_ROW_SEATS) throw new Error(`${kind}: row ${r + 1} of tier ${t + 1} is too short`);
        const label = rowLabel(r);
        const seats: ChartSeat[] = [];
        for (let n = 0; n < count; n++) {
          const angle = ((from + SECTION_AISLE + (inner * (n + 0.5)) / count) * Math.PI) / 180;
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
  return {
    format: CHART_FORMAT,
    id,
    name: spec.name,
    focal: { ...spec.stage },
    categories: CATEGORIES.map((c) => ({ ...c })),
    sections,
    gaAreas: gaAreas(kind, spec, radii[0]),
  };
}

/** Default prices (in cents) per category for generated charts. */
export function defaultPrices(chart: Chart): Record<string, number> {
  const base = [24900, 14900, 9900, 5900];
  return Object.fromEntries(chart.categories.map((c, i) => [c.id, base[i % base.length]]));
}
