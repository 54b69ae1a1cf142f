import { FIXED_PAINTS, type FixedPaint, formatPrice, type Palette } from './palette.ts';

// The legend under the map: one swatch and price per tier (dearest first), then the statuses.

const STATUS_ROWS: FixedPaint[] = [
  'heldByMe',
  'selected',
  'heldByOthers',
  'sold',
  'resale',
  'blocked',
  'notForSale',
];

export function SeatLegend({ palette, currency }: { palette: Palette; currency?: string }) {
  return (
    <div class="seat-map-legend">
      <ul aria-label="Prices">
        {palette.tiers.map((t) => (
          <li key={t.category}>
            <span class="swatch" style={{ background: t.colour }} aria-hidden="true" />
            {t.name} <strong>{formatPrice(t.price, currency)}</strong>
          </li>
        ))}
      </ul>
      <ul aria-label="Seat statuses">
        {STATUS_ROWS.map((k) => (
          <li key={k}>
            <span
              class="swatch"
              style={{ background: palette.colours[palette.fixed[k]] }}
              aria-hidden="true"
            />
            {FIXED_PAINTS[k].label}
          </li>
        ))}
      </ul>
    </div>
  );
}
