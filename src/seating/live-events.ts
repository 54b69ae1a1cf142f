import { createHash } from 'node:crypto';
import type { Directory, SpecSource } from '../actors/directory.ts';
import { EventHandle } from '../actors/event-handle.ts';
import type { EventLocator, SeatPort } from '../actors/event-port.ts';
import type { Chart, Layout } from '../domain/chart.ts';
import { AppError, quoted } from '../errors.ts';
import { EncodedBody } from '../gateway/compression.ts';

// The events the seat map serves: an event's actor (started on first use), its compiled
// layout (public seat ids to seat numbers at the edge) and its chart, serialised once per
// chart version for clients, with an ETag (a chart never changes under a running event).

/** What the spec source tells about an event besides its spec. */
export interface SeatingMeta {
  name: string;
  chart: Chart;
}

export interface LiveEvent {
  id: string;
  name: string;
  chart: Chart;
  layout: Layout;
  /** The event's actor here, or (cluster mode) its owner's through the bus. */
  handle: SeatPort;
  chartEtag: string;
  /** `{chart}` as JSON bytes: identity, gzip or br. */
  chartBody: EncodedBody;
}

interface ChartBody {
  etag: string;
  body: EncodedBody;
}

export class LiveEvents {
  /** Events of one chart version share one chart object, so one serialised body. */
  private readonly bodies = new WeakMap<Chart, ChartBody>();
  private readonly live = new WeakMap<SeatPort, LiveEvent>();
  /** Events another member runs: their spec read here (the chart and its layout), once. */
  private readonly remote = new Map<
    string,
    Promise<{ spec: { layout: Layout }; meta: SeatingMeta } | null>
  >();

  constructor(
    readonly directory: Directory<SeatingMeta>,
    /** Cluster mode: where events run, and where their specs come from. */
    private readonly cluster?: {
      locator: EventLocator;
      specs: SpecSource<SeatingMeta>;
      /** Events running on any member now. */
      running(): Promise<string[]>;
    },
  ) {}

  /** Ids of the events running now: here, or in cluster mode on any member. */
  async runningIds(): Promise<string[]> {
    const here = this.directory.ids();
    if (!this.cluster) return here;
    return [...new Set([...here, ...(await this.cluster.running())])];
  }

  /** The event if it runs (here, or on another member); nothing is started. */
  async runningAnywhere(id: string): Promise<LiveEvent | null> {
    const local = this.running(id);
    if (local || !this.cluster) return local;
    return (await this.cluster.locator.running(id)) ? this.get(id) : null;
  }

  /** The event, its actor started (placed) if it was not running; null when there is no such event. */
  async get(id: string): Promise<LiveEvent | null> {
    if (!this.cluster) {
      const handle = await this.directory.event(id);
      return handle ? this.of(handle) : null;
    }
    const port = await this.cluster.locator.event(id);
    if (!port) return null;
    if (port instanceof EventHandle) return this.of(port as EventHandle<SeatingMeta>);
    let found = this.remote.get(id);
    if (!found) {
      found = this.cluster.specs(id);
      found.then((f) => f ?? this.remote.delete(id)).catch(() => this.remote.delete(id));
      this.remote.set(id, found);
    }
    const spec = await found;
    return spec ? this.build(port, id, spec.meta, spec.spec.layout) : null;
  }

  /** The event or EVENT_NOT_FOUND. */
  async need(id: string): Promise<LiveEvent> {
    const live = await this.get(id);
    if (!live) throw new AppError('EVENT_NOT_FOUND', `no event ${quoted(id)}`);
    return live;
  }

  /** The event if its actor runs now (nothing is started). */
  running(id: string): LiveEvent | null {
    const handle = this.directory.get(id);
    return handle ? this.of(handle) : null;
  }

  private of(handle: EventHandle<SeatingMeta>): LiveEvent {
    return this.build(handle, handle.eventId, handle.meta, handle.spec.layout);
  }

  private build(handle: SeatPort, id: string, meta: SeatingMeta, layout: Layout): LiveEvent {
    let live = this.live.get(handle);
    if (!live) {
      const { chart, name } = meta;
      let body = this.bodies.get(chart);
      if (!body) {
        const json = JSON.stringify({ chart });
        body = {
          etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 22)}"`,
          body: new EncodedBody(json),
        };
        this.bodies.set(chart, body);
        // Browsers ask for the chart right after the event (the stadium's 5.7 MB take ~0.4 s
        // to brotli, more under load): start it now, on the thread pool, not on that request.
        body.body.get('br').catch(() => {});
      }
      live = {
        id,
        name,
        chart,
        layout,
        handle,
        chartEtag: body.etag,
        chartBody: body.body,
      };
      this.live.set(handle, live);
    }
    return live;
  }
}

/** Hold ids carry their event, so DELETE /api/holds/:id needs nothing else. */
export function holdIdFor(eventId: string, random: string): string {
  return `${eventId}~${random}`;
}

export function eventOfHold(holdId: string): string | null {
  const i = holdId.lastIndexOf('~');
  return i > 0 ? holdId.slice(0, i) : null;
}
