// A chart on the seat-map component before it is a venue's (every seat shown available, each
// category in its own colour), with the figures an operator checks.
import { useMemo } from 'preact/hooks';
import type { Chart } from '../../../src/domain/chart.ts';
import { SeatMap } from '../../sdk/seat-map.ts';
import { SeatMapView } from '../seat-map/index.ts';
import { summariseChart } from './chart-summary.ts';

export function ChartPreview({ chart, title }: { chart: Chart; title: string }) {
  const summary = useMemo(() => summariseChart(chart), [chart]);
  const map = useMemo(() => {
    const m = new SeatMap(`preview:${chart.id}`);
    m.applySnapshot(
      0,
      new Uint8Array(summary.seats),
      chart.gaAreas.map((a) => a.capacity),
    );
    return m;
  }, [chart, summary.seats]);
  // Every category priced at 0 so each gets its colour; the prices are the event's, later.
  const tiers = useMemo(
    () => chart.categories.map((c) => ({ category: c.id, name: c.name, price: 0 })),
    [chart],
  );
  return (
    <section class="chart-preview" aria-label={title}>
      <h3>{title}</h3>
      <p>
        {summary.sections} sections, {summary.rows.toLocaleString()} rows, {summary.seats.toLocaleString()}{' '}
        seats
        {summary.accessible > 0 && ` (${summary.accessible} wheelchair places)`}
        {summary.areas.length > 0 &&
          `; ${summary.areas.length} standing areas with ${summary.places.toLocaleString()} places`}
        .
      </p>
      <table>
        <caption class="visually-hidden">Seats per price category</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" class="num">
              Seats
            </th>
            <th scope="col" class="num">
              Standing
            </th>
          </tr>
        </thead>
        <tbody>
          {summary.categories.map((c) => (
            <tr key={c.id}>
              <td>
                {c.name} ({c.id})
              </td>
              <td class="num">{c.seats.toLocaleString()}</td>
              <td class="num">{c.places.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">Colours are the chart's price categories; each event sets their prices.</p>
      <div class="chart-preview-map">
        <SeatMapView chart={chart} map={map} priceTiers={tiers} label={`Seat map: ${title}`} />
      </div>
    </section>
  );
}
