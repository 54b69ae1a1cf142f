import { type ChartModel, FLAG_ACCESSIBLE, FLAG_COMPANION, FLAG_RESTRICTED } from './chart-model.ts';
import { formatPrice, type Palette, pickable, statusText } from './palette.ts';

// One seat in words, as the tooltip, the keyboard's live region and the seat list say it.

export interface SeatInfo {
  /** Seat number in the socket's numbering. */
  index: number;
  /** The public seat id holds name. */
  id: string;
  section: string;
  row: string;
  number: string;
  category: string;
  /** Minor units, or null when its category has no price tier. */
  price: number | null;
  status: number;
  statusText: string;
  pickable: boolean;
  mine: boolean;
  accessible: boolean;
  companion: boolean;
  restrictedView: boolean;
}

export function seatInfo(
  model: ChartModel,
  palette: Palette,
  status: Uint8Array,
  index: number,
  mine: boolean,
): SeatInfo {
  const f = model.flags[index];
  const c = model.category[index];
  const price = palette.categoryPrice[c];
  const st = status[index] ?? 0;
  return {
    index,
    id: model.seatIds[index],
    section: model.sections[model.section[index]]?.name ?? '',
    row: model.rows[model.row[index]]?.label ?? '',
    number: model.seatNumbers[index],
    category: model.categories[c]?.name ?? '',
    price: price >= 0 ? price : null,
    status: st,
    statusText: statusText(st, mine),
    pickable: pickable(st) && price >= 0,
    mine,
    accessible: (f & FLAG_ACCESSIBLE) !== 0,
    companion: (f & FLAG_COMPANION) !== 0,
    restrictedView: (f & FLAG_RESTRICTED) !== 0,
  };
}

/** Wheelchair place, companion seat, restricted view: the attributes worth saying. */
export function seatAttributes(s: SeatInfo): string[] {
  const out: string[] = [];
  if (s.accessible) out.push('wheelchair place');
  if (s.companion) out.push('companion seat');
  if (s.restrictedView) out.push('restricted view');
  return out;
}

/** "Section 101, row A, seat 5" */
export const seatName = (s: SeatInfo) => `${s.section}, row ${s.row}, seat ${s.number}`;

/** The whole sentence: name, category and price, status, attributes. */
export function describeSeat(s: SeatInfo, currency?: string): string {
  const price = s.price === null ? 'not on sale' : formatPrice(s.price, currency);
  const attrs = seatAttributes(s);
  return `${seatName(s)}: ${s.category} ${price}, ${s.statusText}${attrs.length ? `, ${attrs.join(', ')}` : ''}`;
}
