import { randomBytes } from 'node:crypto';
import type { Chart } from '../domain/chart.ts';
import type { Db } from '../persistence/db.ts';
import { CatalogError, notFound } from './errors.ts';
import type {
  EventCreate,
  EventStatus,
  EventUpdate,
  PerformerCreate,
  PerformerUpdate,
  VenueCreate,
  VenueUpdate,
} from './schema.ts';
import { TRANSITIONS, timesInOrder } from './schema.ts';
import { eventsOf, refreshSearch } from './search-index.ts';
import { fold, slug } from './text.ts';

// The catalog's tables (migration 4) behind one class: venues and their chart versions,
// performers, events with their performers and price tiers. Every change to what search
// reads refreshes the affected events' search columns in the same transaction.

export interface Venue {
  id: string;
  name: string;
  address: string;
  city: string;
  country: string;
  lat: number | null;
  lng: number | null;
  capacity: number;
  /** The current chart's version; 0 while the venue has none. */
  chartVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface Performer {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface CatalogEvent {
  id: string;
  name: string;
  description: string;
  category: string;
  status: EventStatus;
  venueId: string;
  /** The venue chart version the event runs on (pinned when it leaves draft). */
  chartVersion: number;
  performerIds: string[];
  /** Price in cents per chart category. */
  priceTiers: Record<string, number>;
  startsAt: string;
  onSaleAt: string | null;
  presaleAt: string | null;
  popularity: number;
  createdAt: string;
  updatedAt: string;
}

/** A validated chart ready to store. */
export interface ChartImport {
  chart: Chart;
  seats: number;
  gaCapacity: number;
}

/** What the event actor is opened with. */
export interface LiveSpec {
  id: string;
  name: string;
  status: EventStatus;
  venueId: string;
  chartVersion: number;
  prices: Record<string, number>;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

interface VenueRow {
  id: string;
  name: string;
  address: string;
  city: string;
  country: string;
  lat: number | null;
  lng: number | null;
  capacity: number;
  chart_version: number;
  created_at: Date;
  updated_at: Date;
}

const toVenue = (r: VenueRow): Venue => ({
  id: r.id,
  name: r.name,
  address: r.address,
  city: r.city,
  country: r.country,
  lat: r.lat,
  lng: r.lng,
  capacity: r.capacity,
  chartVersion: r.chart_version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

interface PerformerRow {
  id: string;
  name: string;
  description: string;
  created_at: Date;
  updated_at: Date;
}

const toPerformer = (r: PerformerRow): Performer => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

interface EventRow {
  id: string;
  name: string;
  description: string;
  category: string;
  status: EventStatus;
  venue_id: string;
  chart_version: number;
  performer_ids: string[] | null;
  price_tiers: Record<string, number> | string | null;
  starts_at: Date;
  on_sale_at: Date | null;
  presale_at: Date | null;
  popularity: number;
  created_at: Date;
  updated_at: Date;
}

const json = <T>(v: T | string | null, dflt: T): T =>
  v === null ? dflt : typeof v === 'string' ? JSON.parse(v) : v;

const toEvent = (r: EventRow): CatalogEvent => ({
  id: r.id,
  name: r.name,
  description: r.description,
  category: r.category,
  status: r.status,
  venueId: r.venue_id,
  chartVersion: r.chart_version,
  performerIds: r.performer_ids ?? [],
  priceTiers: json(r.price_tiers, {}),
  startsAt: iso(r.starts_at)!,
  onSaleAt: iso(r.on_sale_at),
  presaleAt: iso(r.presale_at),
  popularity: r.popularity,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

const EVENT_COLUMNS = `e.id, e.name, e.description, e.category, e.status, e.venue_id, e.chart_version,
  e.starts_at, e.on_sale_at, e.presale_at, e.popularity, e.created_at, e.updated_at,
  ARRAY(SELECT ep.performer_id FROM event_performers ep WHERE ep.event_id = e.id ORDER BY ep.position)
    AS performer_ids,
  (SELECT json_object_agg(t.category, t.price ORDER BY t.category) FROM price_tiers t WHERE t.event_id = e.id)
    AS price_tiers`;

const toDate = (s: string | null) => (s === null ? null : new Date(s));

export function newId(name: string): string {
  return `${slug(name) || 'x'}-${randomBytes(4).toString('hex')}`;
}

function pageArgs(page: number, pageSize: number): [number, number] {
  return [pageSize, (page - 1) * pageSize];
}

export class CatalogStore {
  constructor(readonly db: Db) {}

  // ---- venues --------------------------------------------------------------------------

  async createVenue(input: VenueCreate, chart: ChartImport | null): Promise<Venue> {
    const id = input.id ?? newId(input.name);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<VenueRow>(
        `INSERT INTO venues (id, name, address, city, country, lat, lng, capacity, name_key, city_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          id,
          input.name,
          input.address,
          input.city,
          input.country,
          input.lat ?? null,
          input.lng ?? null,
          input.capacity ?? 0,
          fold(input.name),
          fold(input.city),
        ],
      );
      if (rows.length === 0) throw new CatalogError('ALREADY_EXISTS', `a venue "${id}" exists already`);
      if (!chart) return toVenue(rows[0]);
      return this.addChart(tx, id, chart);
    });
  }

  async updateVenue(id: string, patch: VenueUpdate): Promise<{ venue: Venue; events: string[] }> {
    return this.db.transaction(async (tx) => {
      const current = await this.venueRow(tx, id, true);
      const next = { ...current, ...patch };
      if ((next.lat === null) !== (next.lng === null)) {
        throw new CatalogError('INVALID_BODY', 'lng: give lat and lng together');
      }
      const { rows } = await tx.query<VenueRow>(
        `UPDATE venues SET name = $2, address = $3, city = $4, country = $5, lat = $6, lng = $7,
                capacity = CASE WHEN chart_version = 0 THEN $8 ELSE capacity END,
                name_key = $9, city_key = $10, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [
          id,
          next.name,
          next.address,
          next.city,
          next.country,
          next.lat,
          next.lng,
          next.capacity,
          fold(next.name),
          fold(next.city),
        ],
      );
      const events = await eventsOf(tx, 'venue', id);
      await refreshSearch(tx, events);
      return { venue: toVenue(rows[0]), events };
    });
  }

  async getVenue(id: string): Promise<Venue> {
    return toVenue(await this.venueRow(this.db, id, false));
  }

  async listVenues(page: number, pageSize: number): Promise<Page<Venue>> {
    const { rows } = await this.db.query<VenueRow & { total: number }>(
      'SELECT *, count(*) OVER ()::int AS total FROM venues ORDER BY name, id LIMIT $1 OFFSET $2',
      pageArgs(page, pageSize),
    );
    return { items: rows.map(toVenue), total: rows[0]?.total ?? 0, page, pageSize };
  }

  /** Stores a new chart version and makes it the venue's current chart. */
  async importChart(venueId: string, chart: ChartImport): Promise<{ venue: Venue; events: string[] }> {
    return this.db.transaction(async (tx) => {
      await this.venueRow(tx, venueId, true);
      const venue = await this.addChart(tx, venueId, chart);
      return { venue, events: await eventsOf(tx, 'venue', venueId) };
    });
  }

  private async addChart(tx: Db, venueId: string, c: ChartImport): Promise<Venue> {
    const { rows } = await tx.query<VenueRow>(
      `WITH v AS (UPDATE venues SET chart_version = chart_version + 1, capacity = $2, updated_at = now()
                   WHERE id = $1 RETURNING *),
            c AS (INSERT INTO venue_charts (venue_id, version, chart, categories, seats, ga_capacity)
                  SELECT $1, v.chart_version, $3::json, $4::json, $5, $6 FROM v)
       SELECT * FROM v`,
      [
        venueId,
        c.seats + c.gaCapacity,
        JSON.stringify(c.chart),
        JSON.stringify(c.chart.categories),
        c.seats,
        c.gaCapacity,
      ],
    );
    return toVenue(rows[0]);
  }

  /** The venue's current chart as stored (JSON text), or null when it has none. */
  async chartText(venueId: string): Promise<{ version: number; json: string } | null> {
    const v = await this.venueRow(this.db, venueId, false);
    if (v.chart_version === 0) return null;
    const { rows } = await this.db.query<{ chart: string }>(
      'SELECT chart::text AS chart FROM venue_charts WHERE venue_id = $1 AND version = $2',
      [venueId, v.chart_version],
    );
    return { version: v.chart_version, json: rows[0].chart };
  }

  /** One version of a venue's chart, parsed. */
  async chart(venueId: string, version: number): Promise<Chart> {
    const { rows } = await this.db.query<{ chart: string }>(
      'SELECT chart::text AS chart FROM venue_charts WHERE venue_id = $1 AND version = $2',
      [venueId, version],
    );
    if (rows.length === 0) throw new Error(`venue ${venueId} has no chart version ${version}`);
    return JSON.parse(rows[0].chart) as Chart;
  }

  private async venueRow(db: Db, id: string, lock: boolean): Promise<VenueRow> {
    const { rows } = await db.query<VenueRow>(
      `SELECT * FROM venues WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (rows.length === 0) throw notFound('venue', id);
    return rows[0];
  }

  // ---- performers ----------------------------------------------------------------------

  async createPerformer(input: PerformerCreate): Promise<Performer> {
    const id = input.id ?? newId(input.name);
    const { rows } = await this.db.query<PerformerRow>(
      `INSERT INTO performers (id, name, description, name_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [id, input.name, input.description, fold(input.name)],
    );
    if (rows.length === 0) throw new CatalogError('ALREADY_EXISTS', `a performer "${id}" exists already`);
    return toPerformer(rows[0]);
  }

  async updatePerformer(
    id: string,
    patch: PerformerUpdate,
  ): Promise<{ performer: Performer; events: string[] }> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<PerformerRow>(
        `UPDATE performers SET name = coalesce($2, name), description = coalesce($3, description),
                name_key = coalesce($4, name_key), updated_at = now()
          WHERE id = $1 RETURNING *`,
        [
          id,
          patch.name ?? null,
          patch.description ?? null,
          patch.name === undefined ? null : fold(patch.name),
        ],
      );
      if (rows.length === 0) throw notFound('performer', id);
      const events = await eventsOf(tx, 'performer', id);
      if (patch.name !== undefined) await refreshSearch(tx, events);
      return { performer: toPerformer(rows[0]), events };
    });
  }

  async getPerformer(id: string): Promise<Performer> {
    const { rows } = await this.db.query<PerformerRow>('SELECT * FROM performers WHERE id = $1', [id]);
    if (rows.length === 0) throw notFound('performer', id);
    return toPerformer(rows[0]);
  }

  async listPerformers(page: number, pageSize: number): Promise<Page<Performer>> {
    const { rows } = await this.db.query<PerformerRow & { total: number }>(
      'SELECT *, count(*) OVER ()::int AS total FROM performers ORDER BY name, id LIMIT $1 OFFSET $2',
      pageArgs(page, pageSize),
    );
    return { items: rows.map(toPerformer), total: rows[0]?.total ?? 0, page, pageSize };
  }

  // ---- events --------------------------------------------------------------------------

  async createEvent(input: EventCreate): Promise<CatalogEvent> {
    const id = input.id ?? newId(input.name);
    return this.db.transaction(async (tx) => {
      const chartVersion = await this.checkVenue(tx, input.venueId, input.priceTiers);
      await this.checkPerformers(tx, input.performerIds);
      if (input.status !== 'draft') needTiers(input.priceTiers);
      const { rowCount } = await tx.query(
        `INSERT INTO events (id, name, description, category, venue_id, chart_version, starts_at, on_sale_at,
                             presale_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          id,
          input.name,
          input.description,
          input.category,
          input.venueId,
          chartVersion,
          input.startsAt,
          input.onSaleAt ?? null,
          input.presaleAt ?? null,
          input.status,
        ],
      );
      if (rowCount === 0) throw new CatalogError('ALREADY_EXISTS', `an event "${id}" exists already`);
      await this.writePerformers(tx, id, input.performerIds);
      await this.writeTiers(tx, id, input.priceTiers);
      await refreshSearch(tx, [id]);
      return this.eventIn(tx, id, false);
    });
  }

  async updateEvent(id: string, patch: EventUpdate): Promise<CatalogEvent> {
    return this.db.transaction(async (tx) => {
      const current = await this.eventIn(tx, id, true);
      let chartVersion = current.chartVersion;
      if (patch.venueId !== undefined && patch.venueId !== current.venueId) {
        if (current.status !== 'draft') {
          throw new CatalogError('EVENT_PUBLISHED', 'the venue of an event is fixed once it leaves draft');
        }
        chartVersion = await this.checkVenue(tx, patch.venueId, current.priceTiers);
      }
      const times = {
        startsAt: patch.startsAt ?? new Date(current.startsAt),
        onSaleAt: patch.onSaleAt !== undefined ? patch.onSaleAt : toDate(current.onSaleAt),
        presaleAt: patch.presaleAt !== undefined ? patch.presaleAt : toDate(current.presaleAt),
      };
      if (!timesInOrder(times))
        throw new CatalogError('INVALID_BODY', 'onSaleAt: presaleAt <= onSaleAt <= startsAt');
      await tx.query(
        `UPDATE events SET name = $2, description = $3, category = $4, venue_id = $5, chart_version = $6,
                starts_at = $7, on_sale_at = $8, presale_at = $9, updated_at = now()
          WHERE id = $1`,
        [
          id,
          patch.name ?? current.name,
          patch.description ?? current.description,
          patch.category ?? current.category,
          patch.venueId ?? current.venueId,
          chartVersion,
          times.startsAt,
          times.onSaleAt,
          times.presaleAt,
        ],
      );
      if (patch.performerIds !== undefined) {
        await this.checkPerformers(tx, patch.performerIds);
        await tx.query('DELETE FROM event_performers WHERE event_id = $1', [id]);
        await this.writePerformers(tx, id, patch.performerIds);
      }
      await refreshSearch(tx, [id]);
      return this.eventIn(tx, id, false);
    });
  }

  /** Replaces the price tiers of a draft (a published event's actor runs on its prices). */
  async setPriceTiers(id: string, tiers: Record<string, number>): Promise<CatalogEvent> {
    return this.db.transaction(async (tx) => {
      const current = await this.eventIn(tx, id, true);
      if (current.status !== 'draft') {
        throw new CatalogError('EVENT_PUBLISHED', 'price tiers are fixed once the event leaves draft');
      }
      await this.checkVenue(tx, current.venueId, tiers);
      await tx.query('DELETE FROM price_tiers WHERE event_id = $1', [id]);
      await this.writeTiers(tx, id, tiers);
      await tx.query('UPDATE events SET updated_at = now() WHERE id = $1', [id]);
      await refreshSearch(tx, [id]);
      return this.eventIn(tx, id, false);
    });
  }

  /**
   * Moves an event to `to` if its status allows it. Leaving draft pins the venue's current
   * chart. Asking for the status it already has changes nothing (changed: false).
   */
  async setStatus(
    id: string,
    to: EventStatus,
  ): Promise<{ event: CatalogEvent; from: EventStatus; changed: boolean }> {
    return this.db.transaction(async (tx) => {
      const current = await this.eventIn(tx, id, true);
      const from = current.status;
      if (from === to) return { event: current, from, changed: false };
      if (!TRANSITIONS[from].includes(to)) {
        const allowed = TRANSITIONS[from];
        throw new CatalogError(
          'BAD_TRANSITION',
          `an event ${from} cannot become ${to}` +
            (allowed.length ? ` (from ${from}: ${allowed.join(', ')})` : ` (${from} is final)`),
        );
      }
      let chartVersion = current.chartVersion;
      if (from === 'draft' && to !== 'cancelled') {
        needTiers(current.priceTiers);
        chartVersion = await this.checkVenue(tx, current.venueId, current.priceTiers);
      }
      await tx.query('UPDATE events SET status = $2, chart_version = $3, updated_at = now() WHERE id = $1', [
        id,
        to,
        chartVersion,
      ]);
      return { event: await this.eventIn(tx, id, false), from, changed: true };
    });
  }

  async getEvent(id: string): Promise<CatalogEvent> {
    return this.eventIn(this.db, id, false);
  }

  async listEvents(
    filter: { status?: EventStatus; venueId?: string },
    page: number,
    pageSize: number,
  ): Promise<Page<CatalogEvent>> {
    const { rows } = await this.db.query<EventRow & { total: number }>(
      `SELECT ${EVENT_COLUMNS}, count(*) OVER ()::int AS total FROM events e
        WHERE ($1::text IS NULL OR e.status = $1) AND ($2::text IS NULL OR e.venue_id = $2)
        ORDER BY e.starts_at, e.id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.venueId ?? null, ...pageArgs(page, pageSize)],
    );
    return { items: rows.map(toEvent), total: rows[0]?.total ?? 0, page, pageSize };
  }

  /** Events whose actors should run (every one out of draft), or just `ids`. */
  async liveSpecs(ids?: string[]): Promise<LiveSpec[]> {
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      status: EventStatus;
      venue_id: string;
      chart_version: number;
      prices: Record<string, number> | string | null;
    }>(
      `SELECT e.id, e.name, e.status, e.venue_id, e.chart_version,
              (SELECT json_object_agg(t.category, t.price) FROM price_tiers t WHERE t.event_id = e.id) AS prices
         FROM events e
        WHERE e.status <> 'draft' AND ($1::text[] IS NULL OR e.id = ANY($1::text[]))
        ORDER BY e.venue_id, e.chart_version, e.id`,
      [ids ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      venueId: r.venue_id,
      chartVersion: r.chart_version,
      prices: json(r.prices, {}),
    }));
  }

  async addPopularity(updates: { id: string; delta: number }[]): Promise<void> {
    if (updates.length === 0) return;
    await this.db.query(
      `UPDATE events e SET popularity = greatest(0, e.popularity + u.d)
         FROM unnest($1::text[], $2::int[]) AS u(id, d) WHERE e.id = u.id`,
      [updates.map((u) => u.id), updates.map((u) => u.delta)],
    );
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT 1 FROM venues LIMIT 1) v',
    );
    return rows[0].n === 0;
  }

  private async eventIn(db: Db, id: string, lock: boolean): Promise<CatalogEvent> {
    if (lock) {
      const { rowCount } = await db.query('SELECT 1 FROM events WHERE id = $1 FOR UPDATE', [id]);
      if (rowCount === 0) throw notFound('event', id);
    }
    const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.id = $1`, [id]);
    if (rows.length === 0) throw notFound('event', id);
    return toEvent(rows[0]);
  }

  /** The venue's current chart version, after checking the tiers name its categories. */
  private async checkVenue(db: Db, venueId: string, tiers: Record<string, number>): Promise<number> {
    const { rows } = await db.query<{ chart_version: number; categories: { id: string }[] | string | null }>(
      `SELECT v.chart_version, c.categories FROM venues v
         LEFT JOIN venue_charts c ON c.venue_id = v.id AND c.version = v.chart_version
        WHERE v.id = $1`,
      [venueId],
    );
    if (rows.length === 0) throw new CatalogError('UNKNOWN_VENUE', `no venue "${venueId.slice(0, 64)}"`);
    if (rows[0].chart_version === 0) {
      throw new CatalogError(
        'VENUE_HAS_NO_CHART',
        `venue "${venueId}" has no seat chart yet; import one first`,
      );
    }
    const known = new Set(json(rows[0].categories, []).map((c) => c.id));
    const unknown = Object.keys(tiers).filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new CatalogError(
        'UNKNOWN_PRICE_CATEGORY',
        `price tier ${JSON.stringify(unknown[0].slice(0, 64))} is not a category of the venue's chart (${[...known].join(', ')})`,
      );
    }
    return rows[0].chart_version;
  }

  private async checkPerformers(db: Db, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { rows } = await db.query<{ id: string }>('SELECT id FROM performers WHERE id = ANY($1::text[])', [
      ids,
    ]);
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.find((p) => !found.has(p));
    if (missing !== undefined) throw new CatalogError('UNKNOWN_PERFORMER', `no performer "${missing}"`);
  }

  private async writePerformers(db: Db, eventId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.query(
      `INSERT INTO event_performers (event_id, performer_id, position)
       SELECT $1, p, n - 1 FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n)`,
      [eventId, ids],
    );
  }

  private async writeTiers(db: Db, eventId: string, tiers: Record<string, number>): Promise<void> {
    const cats = Object.keys(tiers);
    if (cats.length === 0) return;
    await db.query(
      `INSERT INTO price_tiers (event_id, category, price) SELECT $1, c, p FROM unnest($2::text[], $3::int[]) AS u(c, p)`,
      [eventId, cats, cats.map((c) => tiers[c])],
    );
  }
}

function needTiers(tiers: Record<string, number>): void {
  if (Object.keys(tiers).length === 0) {
    throw new CatalogError('NO_PRICE_TIERS', 'an event needs at least one price tier before it leaves draft');
  }
}
