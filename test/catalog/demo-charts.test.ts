import { describe, expect, it } from 'vitest';
import { validateChart } from '../../src/catalog/chart-format.ts';
import { generatedChart } from '../../src/catalog/demo-data.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';

// The demo stores the generator's charts without validating them on every first start
// (half a second for the stadium): this is what makes that safe. Each kind passes the
// chart format, validation hands back the same JSON, and the JSON the demo stores for a
// venue is exactly the chart's, with the venue's id.

describe('the demo charts', () => {
  for (const kind of ['theatre', 'arena', 'stadium'] as const) {
    it(`given the generated ${kind}, then it validates to the same JSON and the same totals`, () => {
      const v = validateChart(generateChart(kind));
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      const g = generatedChart(kind);
      expect(JSON.stringify(v.chart)).toBe(JSON.stringify(g.chart.chart));
      expect({ seats: g.chart.seats, gaCapacity: g.chart.gaCapacity }).toEqual({
        seats: v.seats,
        gaCapacity: v.gaCapacity,
      });
    });
  }

  it('given another id, then the JSON is the chart with that id (escaped as JSON would)', () => {
    const g = generatedChart('theatre');
    for (const id of ['royal-lyric-theatre-london', 'a "quoted" \\ id', 'zürich-théâtre']) {
      expect(g.json(id)).toBe(JSON.stringify({ ...g.chart.chart, id }));
    }
    expect(g.json('theatre')).toBe(JSON.stringify(g.chart.chart));
  });

  it('given the demo stadium id, then its JSON is the stadium generated with it', () => {
    const g = generatedChart('stadium', 'demo-stadium');
    expect(g.json('demo-stadium')).toBe(JSON.stringify(generateChart('stadium', 'demo-stadium')));
  });
});
