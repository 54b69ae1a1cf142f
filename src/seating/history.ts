import { isLegacy, type JournalPort, type StoredEntry } from '../actors/ports.ts';
import type { Layout } from '../domain/chart.ts';
import { type DomainEvent, fansOf, orderOf, seatsOf } from '../domain/events.ts';

// What happened to a seat, a fan or an order, read from the event's journal: the audit
// trail a box office is asked for after a disputed sale. The journal is walked in order
// from a cursor, a page at a time; seats and areas go out as their public ids.

export interface HistoryFilter {
  /** Seat number in the event's chart. */
  seat?: number;
  fanId?: string;
  orderId?: string;
}

export interface HistoryItem {
  /** The event's version after this entry: the cursor to continue after. */
  seq: number;
  /** When it was decided (ISO 8601). */
  at: string;
  type: DomainEvent['type'] | 'Command';
  /** Who asked, when not the fan named ('system' for expiries and the catalog's changes). */
  by?: string;
  /** The event's facts, with seats and areas as public ids. */
  detail: Record<string, unknown>;
}

export interface HistoryPage {
  items: HistoryItem[];
  /** Pass as `after` for the next page; null when the journal has no more. */
  next: number | null;
}

/** Does a stored entry concern what the filter names? (Every filter given must match.) */
function matches(e: StoredEntry, f: HistoryFilter): boolean {
  if (isLegacy(e)) {
    // Journals of schema 1 kept the request; match it on the ids it named.
    const c = e.command as Record<string, unknown>;
    if (f.seat !== undefined && !(Array.isArray(c.seats) && c.seats.includes(f.seat))) return false;
    if (f.fanId !== undefined && c.fanId !== f.fanId && c.fromFanId !== f.fanId && c.toFanId !== f.fanId)
      return false;
    if (f.orderId !== undefined && c.orderId !== f.orderId) return false;
    return true;
  }
  const ev = e.event;
  if (f.seat !== undefined && !seatsOf(ev).includes(f.seat)) return false;
  if (f.fanId !== undefined && !fansOf(ev).includes(f.fanId)) return false;
  if (f.orderId !== undefined && orderOf(ev) !== f.orderId) return false;
  return true;
}

/** An event's fields for people: seat numbers and area numbers become public ids. */
export function describe(layout: Layout, ev: DomainEvent): Record<string, unknown> {
  const seat = (s: number) => layout.seatIds[s] ?? `#${s}`;
  const area = (a: number) => (a >= 0 ? (layout.areas[a]?.id ?? `#${a}`) : null);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'type') continue;
    if (k === 'seats' && Array.isArray(v)) out.seats = v.map(seat);
    else if (k === 'area' && typeof v === 'number') out.area = area(v);
    else if (k === 'places' && Array.isArray(v)) {
      // BookingCancelled: flat (area, places) pairs.
      const byArea: Record<string, number> = {};
      for (let i = 0; i < v.length; i += 2) byArea[area(v[i]) ?? `#${v[i]}`] = v[i + 1];
      out.places = byArea;
    } else if (k === 'holds' && Array.isArray(v)) {
      out.holds = v.map((h) => ({ ...h, seats: h.seats.map(seat), area: area(h.area) }));
    } else if ((k === 'createdAt' || k === 'expiresAt') && typeof v === 'number') {
      out[k] = new Date(v).toISOString();
    } else out[k] = v;
  }
  return out;
}

/**
 * Up to `limit` entries after `after` that concern the filter, oldest first. Reading stops
 * as soon as the page is full, so a page costs the journal up to its last entry.
 */
export async function readHistory(
  journal: JournalPort,
  eventId: string,
  layout: Layout,
  filter: HistoryFilter,
  opts: { after?: number; limit?: number } = {},
): Promise<HistoryPage> {
  const limit = opts.limit ?? 100;
  const items: HistoryItem[] = [];
  let more = false;
  await journal.read(eventId, opts.after ?? 0, (entries) => {
    for (const e of entries) {
      if (!matches(e, filter)) continue;
      if (items.length === limit) {
        more = true;
        return false;
      }
      const item: HistoryItem = isLegacy(e)
        ? { seq: e.seq, at: new Date(e.at).toISOString(), type: 'Command', detail: { command: e.command } }
        : {
            seq: e.seq,
            at: new Date(e.at).toISOString(),
            type: e.event.type,
            detail: describe(layout, e.event),
          };
      if (!isLegacy(e) && e.by !== undefined) item.by = e.by;
      items.push(item);
    }
    return true;
  });
  return { items, next: more ? items[items.length - 1].seq : null };
}
