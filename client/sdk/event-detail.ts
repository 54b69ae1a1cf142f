// One event as a fan's page shows it: the catalog record with its live summary
// (GET /api/events/:id) and its chart (GET /api/events/:id/chart).
import type { OnsaleHttp } from './http.ts';

export interface PriceTier {
  category: string;
  /** The chart category's name. */
  name: string;
  /** Minor units. */
  price: number;
}

export interface EventDetail {
  id: string;
  name: string;
  description: string;
  category: string;
  status: string;
  startsAt: string;
  onSaleAt: string | null;
  presaleAt: string | null;
  capacity: number;
  venue: { id: string; name: string; address: string; city: string; country: string };
  performers: { id: string; name: string; description: string }[];
  /** Dearest first. */
  priceTiers: PriceTier[];
  updatedAt: string;
  /** The actor's sale: open, presale, paused, closed; null for drafts. */
  sale: 'open' | 'presale' | 'paused' | 'closed' | null;
  version: number | null;
  seats: Record<string, number> | null;
  areas: { id: string; name: string; capacity: number; available: number }[];
}

export function getEvent(http: OnsaleHttp, id: string): Promise<EventDetail> {
  return http.event(id) as unknown as Promise<EventDetail>;
}

/** The chart document (docs/chart-format.md); typed by the caller's chart type. */
export async function getChart<T = unknown>(http: OnsaleHttp, id: string): Promise<T> {
  return (await http.chart(id)).chart as T;
}
