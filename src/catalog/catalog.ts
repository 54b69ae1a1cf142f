import type { Logger } from 'pino';
import { generateChart } from '../domain/chart-generator.ts';
import { eventSummary } from '../gateway/event-routes.ts';
import type { LiveEvents } from '../gateway/live-events.ts';
import type { Reply, RequestContext, User } from '../gateway/router.ts';
import type { Db } from '../persistence/db.ts';
import { RecordCache } from './cache.ts';
import { checkChart } from './chart-format.ts';
import { loadDemoCatalog } from './demo-data.ts';
import { type EventDetail, loadEventDetail } from './detail.ts';
import { notFound } from './errors.ts';
import { CatalogLive, type LiveHooks } from './live.ts';
import { PresaleLists } from './presale.ts';
import { SaleClock } from './sale-clock.ts';
import type {
  EventCreate,
  EventStatus,
  EventUpdate,
  PerformerCreate,
  PerformerUpdate,
  VenueCreate,
  VenueUpdate,
} from './schema.ts';
import { CatalogSearch } from './search.ts';
import { CatalogStore, type ChartImport } from './store.ts';

// The catalog capability: the store (SQL), search, the event-record cache and the live
// actors, behind the operations the routes call. Every write drops the cache entries it
// affects; events out of draft get (and keep) a running actor.

export interface CatalogOptions {
  log: Logger;
  /** Load the demo catalog into an empty database. */
  demo: boolean;
  hooks?: LiveHooks;
  /** How often popularity follows the actors' held + booked counts; 0 turns it off. */
  popularityMs?: number;
  now?: () => Date;
}

const OPERATOR_ROLES = new Set(['operator', 'admin']);
const isOperator = (u: User | null) => u !== null && OPERATOR_ROLES.has(u.role);

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

export class Catalog {
  readonly store: CatalogStore;
  readonly live: CatalogLive;
  readonly cache = new RecordCache<EventDetail>();
  /** Who is invited to each event's presale. */
  readonly presale: PresaleLists;
  /** Moves events to presale and on sale at their times. */
  readonly clock: SaleClock;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<unknown> | null = null;

  private constructor(
    readonly db: Db,
    readonly events: LiveEvents,
    readonly search: CatalogSearch,
    opts: CatalogOptions,
  ) {
    this.store = new CatalogStore(db);
    this.live = new CatalogLive(this.store, events, opts.log, opts.hooks);
    this.presale = new PresaleLists(db);
    this.clock = new SaleClock(db, (id, to) => this.setStatus(id, to), opts.log, opts.now);
  }

  /** Loads the demo into an empty database if asked, opens every event out of draft. */
  static async start(db: Db, events: LiveEvents, opts: CatalogOptions): Promise<Catalog> {
    const search = new CatalogSearch(db, await CatalogSearch.trigramSchema(db), opts.now);
    const catalog = new Catalog(db, events, search, opts);
    const demo = opts.demo && (await catalog.store.isEmpty());
    if (demo) {
      const started = performance.now();
      const n = await loadDemoCatalog(catalog.store, opts.now?.() ?? new Date());
      opts.log.info({ ...n, ms: Math.round(performance.now() - started) }, 'demo catalog loaded');
    }
    const started = performance.now();
    const opened = await catalog.live.openAll();
    if (demo) {
      // Actors start with their sale open: close or pause those of demo events not on sale.
      const all = await catalog.store.listEvents({}, 1, 10_000);
      await Promise.all(
        all.items.filter((e) => e.status !== 'on_sale').map((e) => catalog.live.applyStatus(e.id, e.status)),
      );
    }
    opts.log.info({ events: opened, ms: Math.round(performance.now() - started) }, 'catalog events opened');
    // Sale times passed while the server was down take effect now.
    await catalog.clock.tick();
    const every = opts.popularityMs ?? 30_000;
    if (every > 0) {
      catalog.timer = setInterval(() => {
        if (catalog.refreshing) return;
        catalog.refreshing = catalog.live
          .refreshPopularity()
          .catch((err) => opts.log.warn({ err }, 'popularity refresh failed'))
          .finally(() => {
            catalog.refreshing = null;
          });
      }, every);
      catalog.timer.unref();
    }
    return catalog;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.clock.close();
    await this.refreshing;
  }

  // ---- venues and performers ------------------------------------------------------------

  async createVenue(body: VenueCreate) {
    let chart: ChartImport | null = null;
    if (body.chart !== undefined) chart = checkChart(body.chart);
    else if (body.chartTemplate) {
      chart = checkChart(generateChart(body.chartTemplate, body.id ?? body.chartTemplate));
    }
    return this.store.createVenue(body, chart);
  }

  async updateVenue(id: string, patch: VenueUpdate) {
    const { venue } = await this.store.updateVenue(id, patch);
    this.cache.invalidate(`venue:${id}`);
    return venue;
  }

  async importChart(venueId: string, json: unknown) {
    const { venue } = await this.store.importChart(venueId, checkChart(json));
    this.cache.invalidate(`venue:${venueId}`);
    return venue;
  }

  async createPerformer(body: PerformerCreate) {
    return this.store.createPerformer(body);
  }

  async updatePerformer(id: string, patch: PerformerUpdate) {
    const { performer } = await this.store.updatePerformer(id, patch);
    this.cache.invalidate(`performer:${id}`);
    return performer;
  }

  // ---- events ---------------------------------------------------------------------------

  /** Creates an event; out of draft, its actor opens at once (with the sale its status implies). */
  async createEvent(body: EventCreate) {
    const event = await this.store.createEvent(body);
    this.cache.delete(event.id);
    if (event.status !== 'draft') await this.live.applyStatus(event.id, event.status);
    void this.clock.tick(); // its sale times may be due, or sooner than the clock's next wake
    return event;
  }

  async updateEvent(id: string, patch: EventUpdate) {
    const event = await this.store.updateEvent(id, patch);
    this.cache.delete(id);
    void this.clock.tick();
    return event;
  }

  /** May this account hold seats of the event during its presale? */
  mayPresale(eventId: string, user: User): Promise<boolean> {
    return this.presale.invited(eventId, user.email);
  }

  async setPriceTiers(id: string, tiers: Record<string, number>) {
    const event = await this.store.setPriceTiers(id, tiers);
    this.cache.delete(id);
    return event;
  }

  /** Changes the status and switches the actor's sale to match (also when unchanged: a retry). */
  async setStatus(id: string, status: EventStatus) {
    const out = await this.store.setStatus(id, status);
    this.cache.delete(id);
    await this.live.applyStatus(id, status);
    return out;
  }

  /** The cached public record of an event (null: no such event). */
  detail(id: string) {
    return this.cache.get(id, async () => {
      const d = await loadEventDetail(this.db, id);
      return (
        d && { value: d, deps: [`venue:${d.venue.id}`, ...d.performers.map((p) => `performer:${p.id}`)] }
      );
    });
  }

  /**
   * GET /api/events/:id: the cached catalog record merged with the live summary read from
   * the actor. The ETag covers both (record hash + seat-state version); drafts are for
   * operators only.
   */
  async eventReply(ctx: RequestContext<unknown>): Promise<Reply> {
    const id = ctx.params.id;
    const cached = id.length <= 128 ? await this.detail(id) : null;
    const live = this.events.get(id);
    if (!cached || (cached.value.status === 'draft' && !isOperator(ctx.user))) {
      // An event opened outside the catalog (tests, tools) still shows its live summary.
      if (!cached && live)
        return { headers: { 'cache-control': 'no-cache' }, body: await eventSummary(live) };
      throw notFound('event', id);
    }
    let summary: Awaited<ReturnType<typeof eventSummary>> | null = null;
    if (live && !live.handle.stopped) summary = await eventSummary(live).catch(() => null);
    const etag = `"${cached.tag}.${summary ? summary.version : 'x'}"`;
    const headers = {
      etag,
      'cache-control': cached.value.status === 'draft' ? 'private, no-cache' : 'public, max-age=1',
    };
    if (matches(ctx.headers['if-none-match'], etag)) return { status: 304, headers };
    return {
      headers,
      body: {
        ...cached.value,
        sale: summary?.sale ?? null,
        version: summary?.version ?? null,
        seats: summary?.seats ?? null,
        areas: summary?.areas ?? [],
      },
    };
  }
}
