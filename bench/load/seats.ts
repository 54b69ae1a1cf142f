// The demo stadium's layout as the server compiles it, and seat groups to hold: 1–4
// neighbouring ordinary seats (no accessibility or view flag, which carry extra rules).

import { DEMO_EVENT_ID } from '../../src/demo.ts';
import { compileChart, type Layout } from '../../src/domain/chart.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';
import { rng } from '../lib/rng.ts';

export const EVENT_ID = DEMO_EVENT_ID;

export function demoLayout(): Layout {
  return compileChart(generateChart('stadium', DEMO_EVENT_ID));
}

/**
 * Every row cut into consecutive groups of 1–4 ordinary seats, in shuffled order: disjoint
 * groups, so holds taken from this list never collide.
 */
export function seatGroups(layout: Layout, seed: number): number[][] {
  const rand = rng(seed);
  const groups: number[][] = [];
  for (let row = 0; row < layout.rowCount; row++) {
    const start = layout.rowStart[row];
    const end = start + layout.rowLength[row];
    for (let s = start; s < end; ) {
      const n = Math.min(end - s, 1 + Math.floor(rand() * 4));
      const g = Array.from({ length: n }, (_, i) => s + i);
      if (g.every((x) => layout.seatFlags[x] === 0)) groups.push(g);
      s += n;
    }
  }
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  return groups;
}
