import type { Db } from '../persistence/db.ts';
import type { EventStatus } from './schema.ts';

// The public record of one event: the event, its venue, performers and price tiers, as
// GET /api/events/:id serves it (cached; availability is added from the actor per request).

export interface EventDetail {
  id: string;
  name: string;
  description: string;
  category: string;
  status: EventStatus;
  startsAt: string;
  onSaleAt: string | null;
  presaleAt: string | null;
  /** Seats plus standing places of the chart the event runs on. */
  capacity: number;
  venue: {
    id: string;
    name: string;
    address: string;
    city: string;
    country: string;
    lat: number | null;
    lng: number | null;
  };
  performers: { id: string; name: string; description: string }[];
  /** Dearest first; `name` is the chart category's name. */
  priceTiers: { category: string; name: string; price: number }[];
  updatedAt: string;
}

interface Row {
  id: string;
  name: string;
  description: string;
  category: string;
  status: EventStatus;
  starts_at: Date;
  on_sale_at: Date | null;
  presale_at: Date | null;
  updated_at: Date;
  seats: number;
  ga_capacity: number;
  categories: { id: string; name: string }[] | string;
  venue: EventDetail['venue'] | string;
  performers: EventDetail['performers'] | string;
  tiers: { category: string; price: number }[] | string;
}

const parsed = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** Loads one event's public record; null when there is no such event. */
export async function loadEventDetail(db: Db, id: string): Promise<EventDetail | null> {
  const { rows } = await db.query<Row>(
    `SELECT e.id, e.name, e.description, e.category, e.status, e.starts_at, e.on_sale_at, e.presale_at,
            e.updated_at, c.seats, c.ga_capacity, c.categories,
            json_build_object('id', v.id, 'name', v.name, 'address', v.address, 'city', v.city,
                              'country', v.country, 'lat', v.lat, 'lng', v.lng) AS venue,
            coalesce((SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'description', p.description)
                                      ORDER BY ep.position)
                        FROM event_performers ep JOIN performers p ON p.id = ep.performer_id
                       WHERE ep.event_id = e.id), '[]'::json) AS performers,
            coalesce((SELECT json_agg(json_build_object('category', t.category, 'price', t.price)
                                      ORDER BY t.price DESC, t.category)
                        FROM price_tiers t WHERE t.event_id = e.id), '[]'::json) AS tiers
       FROM events e
       JOIN venues v ON v.id = e.venue_id
       JOIN venue_charts c ON c.venue_id = e.venue_id AND c.version = e.chart_version
      WHERE e.id = $1`,
    [id],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  const names = new Map(parsed(r.categories).map((c) => [c.id, c.name]));
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    category: r.category,
    status: r.status,
    startsAt: iso(r.starts_at)!,
    onSaleAt: iso(r.on_sale_at),
    presaleAt: iso(r.presale_at),
    capacity: r.seats + r.ga_capacity,
    venue: parsed(r.venue),
    performers: parsed(r.performers),
    priceTiers: parsed(r.tiers).map((t) => ({ ...t, name: names.get(t.category) ?? t.category })),
    updatedAt: iso(r.updated_at)!,
  };
}
