// The operator console's calls: venues and their charts, events (create, edit, prices, fees,
// codes, sale times, status), the waiting room, and the live dashboard (HTTP and socket).
import type { z } from 'zod';
import type { EventDetail } from '../../src/catalog/detail.ts';
import type {
  EventStatus,
  eventCreateSchema,
  eventUpdateSchema,
  venueCreateSchema,
} from '../../src/catalog/schema.ts';
import type { CatalogEvent, Page, Venue } from '../../src/catalog/store.ts';
import type { Code, codeSchema } from '../../src/orders/codes.ts';
import type { PricingPolicy } from '../../src/orders/pricing.ts';
import type { RoomInfo } from '../../src/waiting-room/rooms.ts';
import { ApiError, type OnsaleHttp } from './http.ts';
import type { OperatorStats } from './protocol.ts';
import type { OnsaleSocket } from './socket.ts';

export type { LatencyStats, OperatorStats } from './protocol.ts';

const at = (id: string) => encodeURIComponent(id);

// The shapes are the server's own (type-only imports: nothing of the server reaches a bundle).
export type { CatalogEvent, Page, Venue } from '../../src/catalog/store.ts';
export type { Code } from '../../src/orders/codes.ts';
export type { Amount, PricingPolicy } from '../../src/orders/pricing.ts';
export type ChartTemplate = 'theatre' | 'arena' | 'stadium';
/** Request bodies as sent (fields with defaults may be left out). */
export type VenueCreate = z.input<typeof venueCreateSchema>;
export type EventCreate = z.input<typeof eventCreateSchema>;
export type EventUpdate = z.input<typeof eventUpdateSchema>;
export type CodeCreate = z.input<typeof codeSchema>;
export type WaitingRoomInfo = RoomInfo;
/** GET /api/events/:id: the catalog record and the actor's live summary (null for drafts). */
export type EventRecord = EventDetail & {
  sale: 'open' | 'presale' | 'paused' | 'closed' | null;
  version: number | null;
  seats: OperatorStats['seats'] | null;
  areas: OperatorStats['areas'];
};

/**
 * Revalidated on every read (the route allows caches a second, and its ETag makes the check
 * cheap): the console reads it right after changing the event.
 */
export async function eventRecord(http: OnsaleHttp, id: string): Promise<EventRecord> {
  const headers: Record<string, string> = http.token ? { authorization: `Bearer ${http.token}` } : {};
  const res = await fetch(`${http.baseUrl}/api/events/${at(id)}`, { headers, cache: 'no-cache' });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.error ?? { code: 'HTTP_ERROR', message: res.statusText };
    throw new ApiError(res.status, e.code, e.message);
  }
  return body as EventRecord;
}

export function listVenues(http: OnsaleHttp, page = 1, pageSize = 100): Promise<Page<Venue>> {
  return http.request('GET', `/api/venues?page=${page}&pageSize=${pageSize}`);
}

export async function createVenue(http: OnsaleHttp, body: VenueCreate): Promise<Venue> {
  return (await http.request<{ venue: Venue }>('POST', '/api/venues', body)).venue;
}

/** Imports a new chart version (the body is the chart; events out of draft keep the version they pinned). */
export async function putVenueChart(http: OnsaleHttp, venueId: string, chart: unknown): Promise<Venue> {
  return (await http.request<{ venue: Venue }>('PUT', `/api/venues/${at(venueId)}/chart`, chart)).venue;
}

/** The venue's current chart, exactly as imported. */
export function venueChart(http: OnsaleHttp, venueId: string): Promise<unknown> {
  return http.request('GET', `/api/venues/${at(venueId)}/chart`);
}

export async function chartTemplates(http: OnsaleHttp): Promise<ChartTemplate[]> {
  return (await http.request<{ templates: ChartTemplate[] }>('GET', '/api/chart-templates')).templates;
}

/** The generator's chart for a template, to preview and to start a venue from. */
export async function chartTemplate(http: OnsaleHttp, kind: ChartTemplate): Promise<unknown> {
  return (await http.request<{ chart: unknown }>('GET', `/api/chart-templates/${at(kind)}`)).chart;
}

export function listEvents(
  http: OnsaleHttp,
  q: { status?: EventStatus; venueId?: string; page?: number; pageSize?: number } = {},
): Promise<Page<CatalogEvent>> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  return http.request('GET', `/api/events${p.size ? `?${p}` : ''}`);
}

export async function createEvent(http: OnsaleHttp, body: EventCreate): Promise<CatalogEvent> {
  return (await http.request<{ event: CatalogEvent }>('POST', '/api/events', body)).event;
}

export async function updateEvent(http: OnsaleHttp, id: string, body: EventUpdate): Promise<CatalogEvent> {
  return (await http.request<{ event: CatalogEvent }>('PUT', `/api/events/${at(id)}`, body)).event;
}

/** Publishing is leaving draft; opening, pausing and closing the sale are statuses too. */
export async function setEventStatus(
  http: OnsaleHttp,
  id: string,
  status: EventStatus,
): Promise<CatalogEvent> {
  return (await http.request<{ event: CatalogEvent }>('PUT', `/api/events/${at(id)}/status`, { status }))
    .event;
}

export async function setPriceTiers(
  http: OnsaleHttp,
  id: string,
  priceTiers: Record<string, number>,
): Promise<CatalogEvent> {
  return (
    await http.request<{ event: CatalogEvent }>('PUT', `/api/events/${at(id)}/price-tiers`, { priceTiers })
  ).event;
}

export async function pricing(http: OnsaleHttp, id: string): Promise<PricingPolicy> {
  return (await http.request<{ pricing: PricingPolicy }>('GET', `/api/events/${at(id)}/pricing`)).pricing;
}

export async function setPricing(
  http: OnsaleHttp,
  id: string,
  policy: PricingPolicy,
): Promise<PricingPolicy> {
  return (await http.request<{ pricing: PricingPolicy }>('PUT', `/api/events/${at(id)}/pricing`, policy))
    .pricing;
}

export async function listCodes(http: OnsaleHttp, id: string): Promise<Code[]> {
  return (await http.request<{ codes: Code[] }>('GET', `/api/events/${at(id)}/codes`)).codes;
}

export async function createCode(http: OnsaleHttp, id: string, code: CodeCreate): Promise<Code> {
  return (await http.request<{ code: Code }>('POST', `/api/events/${at(id)}/codes`, code)).code;
}

export function deleteCode(http: OnsaleHttp, id: string, code: string): Promise<{ deleted: string }> {
  return http.request('DELETE', `/api/events/${at(id)}/codes/${at(code)}`);
}

export function setWaitingRoom(
  http: OnsaleHttp,
  id: string,
  cfg: { enabled: boolean; rate: number },
): Promise<WaitingRoomInfo> {
  return http.request('PUT', `/api/events/${at(id)}/queue`, cfg);
}

export function cancelEvent(http: OnsaleHttp, id: string, reason: string): Promise<{ refunded: number }> {
  return http.request('POST', `/api/events/${at(id)}/cancel`, { reason });
}

/** The dashboard's figures now (the socket's `stats` message, once). */
export function dashboard(http: OnsaleHttp, id: string): Promise<OperatorStats> {
  return http.request('GET', `/api/events/${at(id)}/dashboard`);
}

/**
 * The event's figures about once a second over the socket (operators only; a refusal comes
 * as the socket's onError). Returns the unsubscribe.
 */
export function watchDashboard(
  socket: OnsaleSocket,
  eventId: string,
  fn: (s: OperatorStats) => void,
): () => void {
  const off = socket.on('stats', (m) => {
    if (m.e === eventId) fn(m as unknown as OperatorStats);
  });
  socket.send({ t: 'osub', e: eventId });
  return () => {
    off();
    socket.send({ t: 'ounsub', e: eventId });
  };
}
