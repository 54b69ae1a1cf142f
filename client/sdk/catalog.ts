// Catalog search and autocomplete (GET /api/events/search, GET /api/search/suggest).
import type { SearchResponse as SearchResult, Suggestion } from '../../src/catalog/search.ts';
import type { OnsaleHttp } from './http.ts';

// The reply types are the server's own (type-only: nothing of the server reaches a bundle).
export type {
  Facet,
  SearchHit,
  SearchResponse as SearchResult,
  Suggestion,
} from '../../src/catalog/search.ts';

export type EventStatus =
  | 'draft'
  | 'scheduled'
  | 'presale'
  | 'on_sale'
  | 'paused'
  | 'sold_out'
  | 'completed'
  | 'cancelled';

/** Search parameters; empty strings and undefined are left out of the query. */
export interface SearchQuery {
  q?: string;
  /** YYYY-MM-DD or ISO date-time. */
  from?: string;
  to?: string;
  city?: string;
  /** One or several, comma-separated. */
  category?: string;
  /** Minor units. */
  minPrice?: number;
  maxPrice?: number;
  sort?: 'relevance' | 'date' | 'price' | 'popularity';
  page?: number;
  pageSize?: number;
}

export function searchQueryString(query: SearchQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

export function searchEvents(http: OnsaleHttp, query: SearchQuery): Promise<SearchResult> {
  return http.request('GET', `/api/events/search?${searchQueryString(query)}`);
}

/** Up to 10 suggestions for what the fan has typed (at least 2 letters to get any). */
export async function suggest(http: OnsaleHttp, q: string): Promise<Suggestion[]> {
  const r = await http.request<{ suggestions: Suggestion[] }>(
    'GET',
    `/api/search/suggest?q=${encodeURIComponent(q)}`,
  );
  return r.suggestions;
}
