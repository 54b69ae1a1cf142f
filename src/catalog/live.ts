import type { Logger } from 'pino';
import { type Chart, compileChart, type Layout } from '../domain/chart.ts';
import type { SaleStatus } from '../domain/commands.ts';
import { BOOKED, HELD } from '../domain/seat-status.ts';
import type { LiveEvents } from '../gateway/live-events.ts';
import { CatalogError } from './errors.ts';
import type { EventStatus } from './schema.ts';
import type { CatalogStore, LiveSpec } from './store.ts';

// Catalog events as running event actors. Every event out of draft has one: opened when it
// is created (or published), and opened again at start-up, when it recovers from its
// journal. Events of one venue chart share one parsed chart and one compiled layout (both
// immutable), so a few hundred theatre events cost their seat state and little else.
// The catalog status drives the actor's sale switch.

/** The actor's sale switch for each catalog status (undefined: left as it is). */
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

export interface LiveHooks {
  /** The sale of an event opened (its waiting room shuffles the pre-queue). */
  saleOpened?(eventId: string): Promise<unknown>;
}

export class CatalogLive {
  private charts = new Map<string, Promise<{ chart: Chart; layout: Layout }>>();
  /** Held + booked places last seen per event, to write popularity only when it moved. */
  private seen = new Map<string, number>();

  constructor(
    private readonly store: CatalogStore,
    private readonly events: LiveEvents,
    private readonly log: Logger,
    private readonly hooks: LiveHooks = {},
  ) {}

  /** Opens every event out of draft that is not running yet (start-up). */
  async openAll(): Promise<number> {
    const specs = await this.store.liveSpecs();
    let opened = 0;
    for (const spec of specs) if (await this.openSpec(spec)) opened++;
    return opened;
  }

  /** Opens one event's actor if it is out of draft and not running yet. */
  async open(eventId: string): Promise<boolean> {
    const [spec] = await this.store.liveSpecs([eventId]);
    return spec ? this.openSpec(spec) : false;
  }

  private async openSpec(spec: LiveSpec): Promise<boolean> {
    if (this.events.get(spec.id)) return false;
    const { chart, layout } = await this.compiled(spec.venueId, spec.chartVersion);
    if (this.events.get(spec.id)) return false; // opened meanwhile
    this.events.open({ id: spec.id, name: spec.name, chart, layout, prices: spec.prices });
    return true;
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

  /**
   * Sets the actor's sale switch to match `status` (opening the actor first if needed).
   * Throws 503 when the actor cannot take the command; asking again retries.
   */
  async applyStatus(eventId: string, status: EventStatus): Promise<void> {
    if (status === 'draft') return;
    await this.open(eventId);
    const sale = SALE[status];
    const live = this.events.get(eventId);
    if (!sale || !live) return;
    const current = await live.handle.read((s) => s.sale);
    if (current !== sale) {
      const out = await live.handle.submit({ type: 'setSale', status: sale });
      if (!out.ok) {
        throw new CatalogError(
          503,
          'EVENT_UNAVAILABLE',
          `the status is saved but the event's sale could not be switched (${out.error.code}); send it again`,
        );
      }
    }
    // The first phase that lets fans in (presale or general) runs the waiting room's lottery.
    if ((sale === 'open' || sale === 'presale') && this.hooks.saleOpened) await this.hooks.saleOpened(eventId);
  }

  /**
   * Popularity follows demand: each event's score moves by the change in its held + booked
   * places since last seen (the first reading after start-up is the baseline).
   */
  async refreshPopularity(): Promise<number> {
    const updates: { id: string; delta: number }[] = [];
    for (const id of this.events.ids()) {
      const live = this.events.get(id);
      if (!live || live.handle.stopped) continue;
      let n: number;
      try {
        n = await live.handle.read((s) => {
          let ga = 0;
          for (let i = 0; i < s.areaHeld.length; i++) ga += s.areaHeld[i] + s.areaBooked[i];
          return s.statusCounts[HELD] + s.statusCounts[BOOKED] + ga;
        });
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
