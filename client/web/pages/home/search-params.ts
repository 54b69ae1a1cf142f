// The home page's search lives in the URL (?q=&city=&page=…), so a search can be linked,
// reloaded and gone back to. Prices are typed in whole units and sent in minor units.
import type { SearchQuery } from '../../../sdk/catalog.ts';

export const PAGE_SIZE = 12;
const SORTS = ['relevance', 'date', 'price', 'popularity'] as const;

export interface SearchForm {
  q: string;
  from: string;
  to: string;
  city: string;
  category: string;
  /** Whole currency units as typed ('' for none). */
  minPrice: string;
  maxPrice: string;
  sort: '' | (typeof SORTS)[number];
  page: number;
}

export function formFromQuery(p: URLSearchParams): SearchForm {
  const sort = p.get('sort') ?? '';
  const page = Number(p.get('page'));
  return {
    q: p.get('q') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
    city: p.get('city') ?? '',
    category: p.get('category') ?? '',
    minPrice: p.get('minPrice') ?? '',
    maxPrice: p.get('maxPrice') ?? '',
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as SearchForm['sort']) : '',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The page's own URL query for a form (empty fields left out, page 1 implied). */
export function queryFromForm(f: SearchForm): string {
  const p = new URLSearchParams();
  for (const k of ['q', 'from', 'to', 'city', 'category', 'minPrice', 'maxPrice', 'sort'] as const)
    if (f[k].trim()) p.set(k, f[k].trim());
  if (f.page > 1) p.set('page', String(f.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Whole units as typed → minor units; undefined when empty or not a number ≥ 0. */
function minor(v: string): number | undefined {
  if (!v.trim()) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : undefined;
}

/** The catalog search for a form. */
export function searchFromForm(f: SearchForm): SearchQuery {
  return {
    q: f.q.trim() || undefined,
    from: f.from || undefined,
    to: f.to || undefined,
    city: f.city.trim() || undefined,
    category: f.category || undefined,
    minPrice: minor(f.minPrice),
    maxPrice: minor(f.maxPrice),
    sort: f.sort || undefined,
    page: f.page,
    pageSize: PAGE_SIZE,
  };
}

/** A problem with the form to show before searching, or null. */
export function formProblem(f: SearchForm): string | null {
  if (f.minPrice.trim() && minor(f.minPrice) === undefined)
    return 'The lowest price must be a number of 0 or more.';
  if (f.maxPrice.trim() && minor(f.maxPrice) === undefined)
    return 'The highest price must be a number of 0 or more.';
  const lo = minor(f.minPrice);
  const hi = minor(f.maxPrice);
  if (lo !== undefined && hi !== undefined && lo > hi) return 'The lowest price is above the highest.';
  if (f.from && f.to && f.to < f.from) return 'The end date is before the start date.';
  return null;
}

/** Pages there are to show: the catalog goes at most 10,000 results deep. */
export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.min(Math.ceil(total / pageSize), Math.floor(10_000 / pageSize)));
}
