import type { Layout } from '../domain/chart.ts';
import type { HoldView } from '../domain/queries.ts';
import type { TicketLine } from './pricing.ts';
import type { StoredQuote } from './store.ts';

// From held seats and places to priced ticket lines, and where each line's seats are. Pure.

/** "Section 101, Row C, Seat 12". */
export function seatLabel(layout: Layout, seat: number): string {
  const row = layout.seatRow[seat];
  const section = layout.sections[layout.rowSection[row]];
  return `${section?.name ?? ''}, Row ${layout.rowLabel[row]}, Seat ${layout.seatNumber[seat]}`;
}

export function linesOf(
  layout: Layout,
  prices: Record<string, number>,
  holds: HoldView[],
): { lines: TicketLine[]; items: StoredQuote['items'] } {
  const lines: TicketLine[] = [];
  const items: StoredQuote['items'] = [];
  for (const h of holds) {
    for (const seat of h.seats) {
      const category = layout.categories[layout.seatCategory[seat]];
      lines.push({
        item: layout.seatIds[seat],
        label: seatLabel(layout, seat),
        category: category.id,
        price: prices[category.id] ?? 0,
        quantity: 1,
      });
      items.push({ hold: h.holdId, seat });
    }
    if (h.area !== null && h.places > 0) {
      const area = layout.areaIndex.get(h.area) ?? -1;
      const a = layout.areas[area];
      const category = layout.categories[a.category];
      lines.push({
        item: a.id,
        label: a.name,
        category: category.id,
        price: prices[category.id] ?? 0,
        quantity: h.places,
      });
      items.push({ hold: h.holdId, area, places: h.places });
    }
  }
  return { lines, items };
}
