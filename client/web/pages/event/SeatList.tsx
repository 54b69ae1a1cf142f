import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SeatMap } from '../../../sdk/index.ts';
import {
  availableRows,
  cheapestIn,
  recountSections,
  sectionAvailability,
} from '../../seat-map/availability.ts';
import type { ChartModel } from '../../seat-map/chart-model.ts';
import type { AreaInfo } from '../../seat-map/index.ts';
import { formatPrice, type Palette } from '../../seat-map/palette.ts';
import { type SeatInfo, seatAttributes, seatInfo } from '../../seat-map/seat-info.ts';

// The seat map as a list, for screen readers and keyboards: choose a section (with its
// seats left and lowest price), then a row, then pick seats as toggle buttons. Kept live:
// the counts of the sections a delta touched are recounted.

export interface SeatListProps {
  model: ChartModel;
  palette: Palette;
  map: SeatMap;
  /** The map's version: a new one re-renders the list. */
  version: number;
  currency: string;
  selection: ReadonlySet<string>;
  mine: ReadonlySet<string>;
  onPick: (seat: SeatInfo) => void;
  /** Choosing a standing area (the panel then offers its places). */
  onArea: (area: AreaInfo) => void;
}

export function SeatList(p: SeatListProps) {
  const [section, setSection] = useState(-1);
  const [row, setRow] = useState('');
  // Counted once per map; after that only the sections whose seats changed are recounted
  // (the listener runs as the change is applied, before the re-render it causes).
  const counts = useMemo(() => ({ n: sectionAvailability(p.model, p.map.status) }), [p.map, p.model]);
  useEffect(
    () =>
      p.map.onChange((change) => {
        if (change.kind === 'snapshot') counts.n = sectionAvailability(p.model, p.map.status);
        else
          recountSections(
            p.model,
            p.map.status,
            counts.n,
            change.seats.map((s) => s.seat),
          );
      }),
    [counts],
  );
  const perSection = counts.n;
  const rows = useMemo(
    () => (section >= 0 ? availableRows(p.model, p.map.status, section) : []),
    [section, p.version, p.model],
  );
  const chosenRow = rows.find((r) => r.label === row) ?? rows[0];

  return (
    <section class="seat-list" aria-labelledby="seat-list-h">
      <h2 id="seat-list-h">Seats as a list</h2>
      <p class="hint">The same seats as the map, section by section, for screen readers and keyboards.</p>
      {p.model.areas.length > 0 && (
        <>
          <h3>Standing</h3>
          <ul class="area-list">
            {p.model.areas.map((a, i) => {
              const price = p.palette.categoryPrice[a.category];
              const left = p.map.areas[i] ?? 0;
              return (
                <li key={a.id}>
                  {a.name}: {left.toLocaleString('en')} of {a.capacity.toLocaleString('en')} places left
                  {price >= 0 ? `, ${formatPrice(price, p.currency)}` : ''}{' '}
                  <button
                    type="button"
                    class="secondary"
                    disabled={left === 0}
                    onClick={() =>
                      p.onArea({
                        index: i,
                        id: a.id,
                        name: a.name,
                        capacity: a.capacity,
                        available: left,
                        price: price >= 0 ? price : null,
                      })
                    }
                  >
                    Choose places in {a.name}
                  </button>
                </li>
              );
            })}
          </ul>
          <h3>Seats</h3>
        </>
      )}
      <div class="row">
        <div class="field">
          <label for="seat-list-section">Section</label>
          <select
            id="seat-list-section"
            value={section}
            onChange={(e) => {
              setSection(Number(e.currentTarget.value));
              setRow('');
            }}
          >
            <option value={-1}>Choose a section</option>
            {p.model.sections.map((s, i) => {
              const low = cheapestIn(p.model, p.map.status, p.palette.categoryPrice, i);
              return (
                <option key={s.id} value={i} disabled={perSection[i] === 0}>
                  {s.name}: {perSection[i]} available
                  {low >= 0 ? `, from ${formatPrice(low, p.currency)}` : ''}
                </option>
              );
            })}
          </select>
        </div>
        {rows.length > 0 && (
          <div class="field">
            <label for="seat-list-row">Row</label>
            <select
              id="seat-list-row"
              value={chosenRow?.label}
              onChange={(e) => setRow(e.currentTarget.value)}
            >
              {rows.map((r) => (
                <option key={r.label} value={r.label}>
                  Row {r.label}: {r.seats.length} available
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {section >= 0 && rows.length === 0 && <p>No seats left in this section.</p>}
      {chosenRow && (
        <ul class="seat-buttons" aria-label={`Available seats in row ${chosenRow.label}`}>
          {chosenRow.seats.map((i) => {
            const s = seatInfo(p.model, p.palette, p.map.status, i, p.mine.has(p.model.seatIds[i]));
            const attrs = seatAttributes(s);
            const picked = p.selection.has(s.id);
            return (
              <li key={s.id}>
                <button
                  type="button"
                  class={picked ? '' : 'secondary'}
                  aria-pressed={picked}
                  onClick={() => p.onPick(s)}
                >
                  Seat {s.number}
                  <span class="visually-hidden">
                    , row {s.row}, {s.category}{' '}
                    {s.price === null ? 'not on sale' : formatPrice(s.price, p.currency)}
                    {attrs.length ? `, ${attrs.join(', ')}` : ''}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
