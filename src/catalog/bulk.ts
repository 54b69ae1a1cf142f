import type { Db } from '../persistence/db.ts';
import type { EventStatus } from './schema.ts';
import { refreshSearch } from './search-index.ts';
import type { ChartImport } from './store.ts';
import { fold } from './text.ts';

// Loading many catalog rows at once (the demo catalog, the search benchmark): array-bound
// INSERTs in chunks, then one search refresh per chunk. No actors are opened here.

export interface BulkVenue {
  id: string;
  name: string;
  address: string;
  city: string;
  country: string;
  lat: number;
  lng: number;
  chart: ChartImport;
  /** The chart's JSON when the caller has it (JSON.stringify(chart.chart) otherwise). */
  chartJson?: string;
}

export interface BulkPerformer {
  id: string;
  name: string;
  description: string;
}

export interface BulkEvent {
  id: string;
  name: string;
  description: string;
  category: string;
  venueId: string;
  startsAt: Date;
  onSaleAt: Date | null;
  presaleAt: Date | null;
  status: EventStatus;
  popularity: number;
  performerIds: string[];
  priceTiers: Record<string, number>;
}

const CHUNK = 2000;
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export async function bulkVenues(db: Db, venues: BulkVenue[]): Promise<void> {
  for (const v of venues) {
    await db.query(
      `INSERT INTO venues (id, name, address, city, country, lat, lng, capacity, chart_version, name_key, city_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)`,
      [
        v.id,
        v.name,
        v.address,
        v.city,
        v.country,
        v.lat,
        v.lng,
        v.chart.seats + v.chart.gaCapacity,
        fold(v.name),
        fold(v.city),
      ],
    );
    await db.query(
      `INSERT INTO venue_charts (venue_id, version, chart, categories, seats, ga_capacity)
       VALUES ($1, 1, $2::json, $3::json, $4, $5)`,
      [
        v.id,
        v.chartJson ?? JSON.stringify(v.chart.chart),
        JSON.stringify(v.chart.chart.categories),
        v.chart.seats,
        v.chart.gaCapacity,
      ],
    );
  }
}

export async function bulkPerformers(db: Db, performers: BulkPerformer[]): Promise<void> {
  for (let i = 0; i < performers.length; i += CHUNK) {
    const c = performers.slice(i, i + CHUNK);
    await db.query(
      `INSERT INTO performers (id, name, description, name_key)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [c.map((p) => p.id), c.map((p) => p.name), c.map((p) => p.description), c.map((p) => fold(p.name))],
    );
  }
}

/** Inserts events (venues and performers must exist; every venue at chart version 1). */
export async function bulkEvents(db: Db, events: BulkEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const c = events.slice(i, i + CHUNK);
    await db.query(
      `INSERT INTO events (id, name, description, category, venue_id, chart_version, starts_at, on_sale_at,
                           presale_at, status, popularity)
       SELECT u.id, u.name, u.description, u.category, u.venue_id, 1, u.starts_at, u.on_sale_at, u.presale_at,
              u.status, u.popularity
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                     $7::timestamptz[], $8::timestamptz[], $9::text[], $10::int[])
              AS u(id, name, description, category, venue_id, starts_at, on_sale_at, presale_at, status, popularity)`,
      [
        c.map((e) => e.id),
        c.map((e) => e.name),
        c.map((e) => e.description),
        c.map((e) => e.category),
        c.map((e) => e.venueId),
        c.map((e) => iso(e.startsAt)),
        c.map((e) => iso(e.onSaleAt)),
        c.map((e) => iso(e.presaleAt)),
        c.map((e) => e.status),
        c.map((e) => e.popularity),
      ],
    );
    const links = c.flatMap((e) => e.performerIds.map((p, n) => ({ e: e.id, p, n })));
    if (links.length > 0) {
      await db.query(
        `INSERT INTO event_performers (event_id, performer_id, position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`,
        [links.map((l) => l.e), links.map((l) => l.p), links.map((l) => l.n)],
      );
    }
    const tiers = c.flatMap((e) =>
      Object.entries(e.priceTiers).map(([category, price]) => ({ e: e.id, category, price })),
    );
    if (tiers.length > 0) {
      await db.query(
        `INSERT INTO price_tiers (event_id, category, price) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`,
        [tiers.map((t) => t.e), tiers.map((t) => t.category), tiers.map((t) => t.price)],
      );
    }
    await refreshSearch(
      db,
      c.map((e) => e.id),
    );
  }
}
