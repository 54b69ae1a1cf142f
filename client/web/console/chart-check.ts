import { validateChart } from '../../../src/catalog/chart-format.ts';
import type { Chart } from '../../../src/domain/chart.ts';

// A chart an operator gives as text, checked in the browser with the server's own validator
// (src/catalog/chart-format.ts) before anything is sent: every problem with where it is. Pure.

export type ChartCheck = { ok: true; chart: Chart } | { ok: false; problems: string[] };

export function checkChartText(text: string): ChartCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [`Not JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const v = validateChart(json);
  if (v.ok) return { ok: true, chart: v.chart };
  const problems = v.problems.map((p) => `${p.path || 'chart'}: ${p.message}`);
  if (v.more > 0) problems.push(`and ${v.more} more`);
  return { ok: false, problems };
}
