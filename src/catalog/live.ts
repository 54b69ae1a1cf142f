import type { Logger } from 'pino';
import type { Directory } from '../actors/directory.ts';
import type { EventLocator } from '../actors/event-port.ts';
import type { EventSpec } from '../actors/event-runtime.ts';
import { type Chart, compileChart, type Layout } from '../domain/chart.ts';
import type { SaleStatus } from '../domain/commands.ts';
import { CatalogError } from './errors.ts';
import type { EventStatus } from './schema.ts';
import type { CatalogStore, LiveSpec } from './store.ts';

// Catalog events as event actors. The catalog is the one owner of an event's sale and
// prices: an actor starts from the spec read here (on first use, or when its sale is due)
// and converges to it, and every later change of status or price tiers is sent to the
// running actor as one command. Events of one venue chart share one parsed chart and one
// compiled layout (both immutable), so a few hundred theatre events cost their seat state
// and little else.

/** The actor's sale for each catalog status (undefined: left as it is). */
const SALE: Record<EventStatus, SaleStatus | undefined> = {
  draft: undefined,
  scheduled: 'closed',
  presale: 'presale',
  on_sale: 'open',
  paused: 'paused',
  sold_out: undefined,
  completed: 'closed',
  cancelled: 'closed',
};

/** What an event's actor is told besides its spec: what the seat map shows. */
export interface EventInfo {
  name: string;
  chart: Chart;
}

export interface LiveHooks {
  /** A sale phase that lets fans in (presale or general) began: the waiting room's lottery. */
  saleOpened?(eventId: string): Promise<unknown>;
}

/** Reads event specs from the catalog: the Directory's spec source. */
export class EventSpecs {
  private charts = new Map<string, Promise<{ chart: Chart; layout: Layout }>>();

  constructor(private readonly store: CatalogStore) {}

  /** The spec of an event out of draft; null for drafts and ids that name nothing. */
  async load(eventId: string): Promise<{ spec: EventSpec; meta: EventInfo } | null> {
    const [s] = await this.store.liveSpecs([eventId]);
    return s ? this.of(s) : null;
  }

  private async of(s: LiveSpec): Promise<{ spec: EventSpec; meta: EventInfo }> {
    const { chart, layout } = await this.compiled(s.venueId, s.chartVersion);
    const spec: EventSpec = { eventId: s.id, layout, prices: s.prices };
    const sale = SALE[s.status];
    if (sale) spec.sale = sale;
    return { spec, meta: { name: s.name, chart } };
  }

  private compiled(venueId: string, version: number): Promise<{ chart: Chart; layout: Layout }> {
    const key = `${venueId}@${version}`;
    let p = this.charts.get(key);
    if (!p) {
      p = this.store.chart(venueId, version).then((chart) => ({ chart, layout: compileChart(chart) }));
      p.catch(() => this.charts.delete(key));
      this.charts.set(key, p);
    }
    return p;
  }
}

export class CatalogLive {
  /** Held + booked places last seen per event, to write popularity only when it moved. */
  private seen = new Map<string, number>();

  constructor(
    private readonly store: CatalogStore,
    private readonly directory: Directory<EventInfo>,
    private readonly locator: EventLocator,
    private readonly log: Logger,
    private readonly hooks: LiveHooks = {},
  ) {}

  /**
   * Sends the sale `status` implies to the event's actor. An actor not running takes it from
   * its spec when it starts; a sale that lets fans in starts the actor now (its sale is due).
   * Throws 503 when the actor cannot take the command; asking again retries.
   */
  async applyStatus(eventId: string, status: EventStatus): Promise<void> {
    const sale = SALE[status];
    if (!sale) return;
    const handle =
      sale === 'open' || sale === 'presale'
        ? await this.locator.event(eventId)
        : await this.locator.running(eventId);
    if (handle) {
      const current = (await handle.query('availability', {})).sale;
      if (current !== sale) {
        const out = await handle.submitOne({ type: 'setSale', status: sale }, { by: 'catalog' });
        if (!out.ok && out.error.code !== 'INVALID_COMMAND') {
          throw new CatalogError(
            'EVENT_UNAVAILABLE',
            `the status is saved but the event's sale could not be switched (${out.error.code}); send it again`,
          );
        }
      }
    }
    if ((sale === 'open' || sale === 'presale') && this.hooks.saleOpened)
      await this.hooks.saleOpened(eventId);
  }

  /** Sends new price tiers to the event's actor if it runs (else it reads them when it starts). */
  async applyPrices(eventId: string): Promise<void> {
    const handle = await this.locator.running(eventId);
    if (!handle) return;
    const [spec] = await this.store.liveSpecs([eventId]);
    if (!spec) return;
    const out = await handle.submitOne({ type: 'setPrices', prices: spec.prices }, { by: 'catalog' });
    if (!out.ok && out.error.code !== 'INVALID_COMMAND') {
      throw new CatalogError(
        'EVENT_UNAVAILABLE',
        `the price tiers are saved but the event could not take them (${out.error.code}); send them again`,
      );
    }
  }

  /**
   * Popularity follows demand: each running event's score moves by the change in its held +
   * booked places since last seen (the first reading after start-up is the baseline).
   */
  async refreshPopularity(): Promise<number> {
    const updates: { id: string; delta: number }[] = [];
    for (const id of this.directory.ids()) {
      const handle = this.directory.get(id);
      if (handle?.status !== 'ready') continue;
      let n: number;
      try {
        n = await handle.query('taken', {});
      } catch {
        continue;
      }
      const before = this.seen.get(id);
      this.seen.set(id, n);
      if (before !== undefined && before !== n) updates.push({ id, delta: n - before });
    }
    await this.store.addPopularity(updates);
    if (updates.length > 0) this.log.debug({ events: updates.length }, 'popularity refreshed');
    return updates.length;
  }
}
