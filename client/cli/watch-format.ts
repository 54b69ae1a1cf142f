// The lines `npm run watch` prints, as pure functions of the seat map and its notifications,
// so what a terminal shows for each kind of change is testable without a server.
import type { SeatMapChange } from '../sdk/seat-map.ts';

/** The part of a SeatMap a line reads. */
export interface WatchedMap {
  readonly version: number;
  /** Places left per general-admission area, by position in the chart's `gaAreas`. */
  readonly areas: readonly number[];
  count(status: number): number;
}

export interface WatchLabels {
  /** Seat status names by status code. */
  statuses: readonly string[];
  /** Area names by position in the chart's `gaAreas`, e.g. "GA1 Floor A". */
  areas: readonly string[];
}

/** Seats whose new status a delta line lists before it summarises the rest as "+N more". */
const SHOWN_SEATS = 8;

const n = (v: number) => v.toLocaleString('en');

/** "GA1 Floor A" for each of a chart's `gaAreas`; no areas for a chart without them. */
export function areaNames(chart: unknown): string[] {
  const areas = (chart as { gaAreas?: { id?: unknown; name?: unknown }[] } | null)?.gaAreas;
  if (!Array.isArray(areas)) return [];
  return areas.map(
    (a, i) => [a.id, a.name].filter((s) => typeof s === 'string' && s !== '').join(' ') || `area ${i}`,
  );
}

/** The HTTP origin serving the same server as a seat-map socket URL (ws → http, wss → https). */
export function httpOrigin(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  return u.origin;
}

function areaName(labels: WatchLabels, area: number): string {
  // An area the chart did not name (its fetch failed, or the chart changed): its position.
  return labels.areas[area] ?? `area ${area}`;
}

/** Counts by seat status, then places left in every standing area. */
export function summary(map: WatchedMap, labels: WatchLabels): string {
  const seats = labels.statuses.map((name, status) => `${name} ${n(map.count(status))}`);
  const areas = map.areas.map((left, area) => `${areaName(labels, area)} ${n(left)} left`);
  return [...seats, ...areas].join(' · ');
}

/** The first line, once the snapshot arrived. */
export function startLine(eventId: string, map: WatchedMap, labels: WatchLabels): string {
  return `${eventId} v${map.version}: ${summary(map, labels)}`;
}

/** One notification's line; `map` is the map after it. */
export function changeLine(change: SeatMapChange, map: WatchedMap, labels: WatchLabels): string {
  if (change.kind === 'snapshot') return `resynchronised at v${change.version}: ${summary(map, labels)}`;
  const parts: string[] = [];
  if (change.seats.length > 0) {
    const shown = change.seats
      .slice(0, SHOWN_SEATS)
      .map((c) => `${c.seat}→${labels.statuses[c.status] ?? c.status}`)
      .join(' ');
    const more = change.seats.length - SHOWN_SEATS;
    parts.push(more > 0 ? `${shown} (+${n(more)} more)` : shown);
  }
  for (const a of change.areas) parts.push(`${areaName(labels, a.area)} ${n(a.available)} left`);
  // Versions that changed no seat and no area, such as a hold extended.
  if (parts.length === 0) parts.push('no seat or area changes');
  return `v${change.to}: ${parts.join(' · ')}  |  ${summary(map, labels)}`;
}
