import type { Logger } from 'pino';
import type { Directory } from '../actors/directory.ts';
import type { EventLocator } from '../actors/event-port.ts';
import { generateChart } from '../domain/chart-generator.ts';
import type { Availability } from '../domain/queries.ts';
import type { Db } from '../persistence/db.ts';
import { isOperator, type User } from '../user.ts';
import type { Cached } from './cache.ts';
import { RecordCache } from './cache.ts';
import { checkChart } from './chart-format.ts';
import { loadDemoCatalog } from './demo-data.ts';
import { type EventDetail, loadEventDetail } from './detail.ts';
import { notFound } from './errors.ts';
import { CatalogLive, type EventInfo, type LiveHooks } from './live.ts';
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
import type { CatalogStore, ChartImport } from './store.ts';

// The catalog capability: the store (SQL), search, the event-record cache, presale lists,
// the sale clock, and the event actors' sale and prices, behind the operations the routes
// call. Every write drops the cache entries it affects.

export interface CatalogOptions {
  log: Logger;
  /** Load the demo catalog into an empty database. */
  demo: boolean;
  hooks?: LiveHooks;
  /** How often popularity follows the actors' held + booked counts; 0 turns it off. */
  popularityMs?: number;
  now?: () => Date;
  /** Where events run (cluster mode: on their owners); the directory when absent. */
  locator?: EventLocator;
}

/** An event as fans see it: the cached catalog record and the live availability. */
export interface EventView {
  record: Cached<EventDetail>;
  /** From the event's actor; null while it cannot answer. */
  live: Availability | null;
}

export class Catalog {
  readonly live: CatalogLive;
  readonly cache = new RecordCache<EventDetail>();
  /** Who is invited to each event's presale. */
  readonly presale: PresaleLists;
  /** Moves events to presale and on sale at their times. */
  readonly clock: SaleClock;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<unknown> | null = null;
  private readonly locator: EventLocator;

  private constructor(
    readonly db: Db,
    readonly store: CatalogStore,
    readonly directory: Directory<EventInfo>,
    readonly search: CatalogSearch,
    opts: CatalogOptions,
  ) {
    this.locator = opts.locator ?? directory;
    this.live = new CatalogLive(store, directory, this.locator, opts.log, opts.hooks);
    this.presale = new PresaleLists(db);
    this.clock = new SaleClock(db, (id, to) => this.setStatus(id, to), opts.log, opts.now);
  }

  /**
   * Loads the demo into an empty database if asked and makes due sale moves. Event actors
   * start on first use, from the specs the store gives (`EventSpecs`, the Directory's source).
   */
  static async start(
    db: Db,
    store: CatalogStore,
    directory: Directory<EventInfo>,
    opts: CatalogOptions,
  ): Promise<Catalog> {
    const search = new CatalogSearch(db, await CatalogSearch.trigramSchema(db), opts.now);
    const catalog = new Catalog(db, store, directory, search, opts);
    const demo = opts.demo && (await store.isEmpty());
    if (demo) {
      const started = performance.now();
      const n = await loadDemoCatalog(store, opts.now?.() ?? new Date());
      opts.log.info({ ...n, ms: Math.round(performance.now() - started) }, 'demo catalog loaded');
    }
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

  /** Creates an event; on sale, its actor starts at once (its sale is due). */
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

  /** New price tiers; a running actor takes them at once (seats of unpriced tiers go off sale). */
  async setPriceTiers(id: string, tiers: Record<string, number>) {
    const event = await this.store.setPriceTiers(id, tiers);
    this.cache.delete(id);
    if (event.status !== 'draft') await this.live.applyPrices(id);
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
   * An event as fans see it: the cached record (drafts for operators only) and the live
   * availability of its actor, which this starts if it was not running.
   */
  async view(id: string, user: User | null): Promise<EventView> {
    const record = await this.detail(id);
    if (!record || (record.value.status === 'draft' && !isOperator(user))) throw notFound('event', id);
    let live: Availability | null = null;
    if (record.value.status !== 'draft') {
      const handle = await this.locator.event(id).catch(() => null);
      live = handle ? await handle.query('availability', {}).catch(() => null) : null;
    }
    return { record, live };
  }
}
