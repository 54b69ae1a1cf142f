import { expect } from 'vitest';
import { apply } from '../../src/domain/apply.ts';
import { type Chart, type ChartSeat, compileChart, type Layout } from '../../src/domain/chart.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { ErrorCode } from '../../src/domain/errors.ts';
import type { Applied } from '../../src/domain/outcome.ts';
import { encodeState } from '../../src/domain/snapshot.ts';
import { createState, type EventConfig, type EventState } from '../../src/domain/state.ts';

/**
 * A small hand-made venue, so expectations are easy to state. Focal point (0, 0); in every
 * row seat i of n sits at x = i - (n - 1) / 2, so the middle seats are the closest.
 *
 *   seat no.  section row  category  notes
 *    0..5     S1      A    A (5000)  y = 2
 *    6..11    S1      B    A (5000)  y = 3
 *   12..15    S1      C    B (3000)  y = 4; 12 is a wheelchair place, 13 its companion seat
 *   16..20    S2      A    B (3000)  y = 6
 *   21..23    S2      B    C (unpriced: never on sale)  y = 7
 *   GA "FLOOR": 10 places, category B.   GA "VIP": 5 places, category C (unpriced).
 */
export const SEAT = {
  S1A: [0, 1, 2, 3, 4, 5],
  S1B: [6, 7, 8, 9, 10, 11],
  ACCESSIBLE: 12,
  COMPANION: 13,
  S1C_PLAIN: [14, 15],
  S2A: [16, 17, 18, 19, 20],
  UNPRICED: [21, 22, 23],
} as const;

export const SEAT_COUNT = 24;
/** Seats of priced categories: the unpriced ones (21..23) are NOT_FOR_SALE until priced. */
export const PRICED_SEATS = 21;
export const PRICES: Record<string, number> = { A: 5000, B: 3000 };

/** Short times and low limits: every rule is reachable in a few commands. */
export const CONFIG: EventConfig = { holdTtlMs: 1000, maxHoldMs: 3000, maxPerOrder: 4, maxPerFan: 6 };

/** The time the specs start at. */
export const T0 = 1_000_000;

export function lineRow(
  label: string,
  n: number,
  y: number,
  category: string,
  prefix: string,
  extra: (i: number) => Partial<ChartSeat> = () => ({}),
): { label: string; seats: ChartSeat[] } {
  return {
    label,
    seats: Array.from({ length: n }, (_, i) => ({
      id: `${prefix}-${label}-${i + 1}`,
      number: String(i + 1),
      x: i - (n - 1) / 2,
      y,
      category,
      ...extra(i),
    })),
  };
}

export function fixtureChart(): Chart {
  return {
    id: 'fixture',
    name: 'Fixture Hall',
    focal: { x: 0, y: 0 },
    categories: [
      { id: 'A', name: 'Front' },
      { id: 'B', name: 'Middle' },
      { id: 'C', name: 'Back' },
    ],
    sections: [
      {
        id: 'S1',
        name: 'Stalls',
        rows: [
          lineRow('A', 6, 2, 'A', 'S1'),
          lineRow('B', 6, 3, 'A', 'S1'),
          lineRow('C', 4, 4, 'B', 'S1', (i) =>
            i === 0 ? { accessible: true } : i === 1 ? { companion: true } : {},
          ),
        ],
      },
      {
        id: 'S2',
        name: 'Circle',
        rows: [lineRow('A', 5, 6, 'B', 'S2'), lineRow('B', 3, 7, 'C', 'S2')],
      },
    ],
    gaAreas: [
      { id: 'FLOOR', name: 'Floor', category: 'B', capacity: 10, x: 0, y: 1 },
      { id: 'VIP', name: 'VIP pit', category: 'C', capacity: 5, x: 0, y: 0.5 },
    ],
  };
}

let cachedLayout: Layout | undefined;

/** The compiled fixture layout (layouts are immutable, so one is shared). */
export function fixtureLayout(): Layout {
  cachedLayout ??= compileChart(fixtureChart());
  return cachedLayout;
}

export function fixtureState(config: Partial<EventConfig> = {}): EventState {
  return createState(fixtureLayout(), PRICES, { ...CONFIG, ...config });
}

/** Applies a command that must be accepted; checks the version moved by exactly one. */
export function accept(state: EventState, cmd: Command, now: number = T0): Extract<Applied, { ok: true }> {
  const before = state.version;
  const out = apply(state, cmd, now);
  if (!out.ok)
    throw new Error(`expected ${cmd.type} to be accepted, got ${out.error.code}: ${out.error.message}`);
  expect(state.version).toBe(before + 1);
  return out;
}

/**
 * Applies a command that must be rejected with `code`, and checks that it changed nothing:
 * the encoded state is byte-for-byte the same and the version did not move.
 */
export function rejectWith(state: EventState, cmd: Command, code: ErrorCode, now: number = T0): void {
  const bytes = encodeState(state);
  const version = state.version;
  const counts = Array.from(state.statusCounts);
  const out = apply(state, cmd, now);
  expect(out.ok ? 'accepted' : out.error.code).toBe(code);
  expect(state.version).toBe(version);
  expect(Array.from(state.statusCounts)).toEqual(counts);
  expect(Buffer.from(encodeState(state)).equals(Buffer.from(bytes))).toBe(true);
}

/** Deterministic PRNG for tests that want randomness without flakiness. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
