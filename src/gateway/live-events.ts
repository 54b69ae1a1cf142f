import { createHash } from 'node:crypto';
import type { Directory, EventHandle } from '../actors/directory.ts';
import type { Chart, Layout } from '../domain/chart.ts';
import { AVAILABLE } from '../domain/seat-status.ts';
import { areaAvailable } from '../domain/state.ts';
import { EncodedBody } from './compression.ts';

// The events the gateway serves: each open event's actor handle, its compiled layout (to
// turn public seat ids into seat numbers at the edge) and its chart, serialised once for
// clients with an ETag (the chart never changes while the event runs).

export interface LiveEvent {
  id: string;
  name: string;
  chart: Chart;
  layout: Layout;
  prices: Record<string, number>;
  handle: EventHandle;
  chartJson: string;
  chartEtag: string;
  /** chartJson as bytes, identity, gzip or br. */
  chartBody: EncodedBody;
}

export class LiveEvents {
  private events = new Map<string, LiveEvent>();

  constructor(private readonly directory: Directory) {}

  open(spec: {
    id: string;
    name: string;
    chart: Chart;
    layout: Layout;
    prices: Record<string, number>;
  }): LiveEvent {
    if (spec.id.includes('~')) throw new Error('event ids may not contain "~" (it separates hold ids)');
    const handle = this.directory.open({ eventId: spec.id, layout: spec.layout, prices: spec.prices });
    const chartJson = JSON.stringify({ eventId: spec.id, prices: spec.prices, chart: spec.chart });
    const chartEtag = `"${createHash('sha256').update(chartJson).digest('base64url').slice(0, 22)}"`;
    const chartBody = new EncodedBody(chartJson);
    const live: LiveEvent = { ...spec, handle, chartJson, chartEtag, chartBody };
    this.events.set(spec.id, live);
    return live;
  }

  get(id: string): LiveEvent | undefined {
    return this.events.get(id);
  }

  ids(): string[] {
    return [...this.events.keys()];
  }
}

/** Seats and general-admission places left to hold, read from the event's actor. */
export function availableToHold(live: LiveEvent): Promise<number> {
  return live.handle.read((s) => {
    let n = s.statusCounts[AVAILABLE];
    for (let a = 0; a < s.layout.areas.length; a++) n += areaAvailable(s, a);
    return n;
  });
}

/** Hold ids carry their event, so DELETE /api/holds/:id needs nothing else. */
export function holdIdFor(eventId: string, random: string): string {
  return `${eventId}~${random}`;
}

export function eventOfHold(holdId: string): string | null {
  const i = holdId.lastIndexOf('~');
  return i > 0 ? holdId.slice(0, i) : null;
}
