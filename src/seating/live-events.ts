import { createHash } from 'node:crypto';
import type { Directory } from '../actors/directory.ts';
import type { EventHandle } from '../actors/event-handle.ts';
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
  handle: EventHandle<SeatingMeta>;
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
  private readonly live = new WeakMap<EventHandle<SeatingMeta>, LiveEvent>();

  constructor(readonly directory: Directory<SeatingMeta>) {}

  /** The event, its actor started if it was not running; null when there is no such event. */
  async get(id: string): Promise<LiveEvent | null> {
    const handle = await this.directory.event(id);
    return handle ? this.of(handle) : null;
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
    let live = this.live.get(handle);
    if (!live) {
      const { chart, name } = handle.meta;
      let body = this.bodies.get(chart);
      if (!body) {
        const json = JSON.stringify({ chart });
        body = {
          etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 22)}"`,
          body: new EncodedBody(json),
        };
        this.bodies.set(chart, body);
      }
      live = {
        id: handle.eventId,
        name,
        chart,
        layout: handle.spec.layout,
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
