import { compileChart } from './domain/chart.ts';
import { defaultPrices, generateChart } from './domain/chart-generator.ts';
import type { LiveEvents } from './gateway/live-events.ts';

export const DEMO_EVENT_ID = 'demo-stadium';

/** Opens the demo event: an 81,450-seat stadium with a general-admission floor. */
export function openDemoEvent(events: LiveEvents): void {
  const chart = generateChart('stadium', DEMO_EVENT_ID);
  events.open({
    id: DEMO_EVENT_ID,
    name: 'Demo Night at the National Stadium',
    chart,
    layout: compileChart(chart),
    prices: defaultPrices(chart),
  });
}
