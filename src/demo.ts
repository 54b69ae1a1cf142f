import type { Directory } from './actors/directory.ts';
import { compileChart } from './domain/chart.ts';
import { defaultPrices, generateChart } from './domain/chart-generator.ts';

export const DEMO_EVENT_ID = 'demo-stadium';

/** Opens the demo event: an 81,450-seat stadium with a general-admission floor. */
export function openDemoEvent(directory: Directory): void {
  const chart = generateChart('stadium', DEMO_EVENT_ID);
  directory.open({ eventId: DEMO_EVENT_ID, layout: compileChart(chart), prices: defaultPrices(chart) });
}
