// The seat map component and its pure parts, for the event page and the console.
// Usage (see README.md beside this file):
//   <SeatMapView chart={chart} map={seatMap} priceTiers={event.priceTiers}
//                mine={heldIds} selected={pickedIds} onSeatClick={(seat) => …} />
export { buildChartModel, type Chart, type ChartModel, chartModel } from './chart-model.ts';
export { buildPalette, formatPrice, type PriceTier, STATUS, statusText } from './palette.ts';
export { type AreaInfo, SeatMapView, type SeatMapViewProps } from './SeatMapView.tsx';
export { describeSeat, type SeatInfo, seatAttributes, seatInfo, seatName } from './seat-info.ts';
export type { SeatMapStats } from './stats.ts';
