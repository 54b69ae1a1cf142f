import { z } from 'zod';
import { CatalogError } from './errors.ts';
import { clean } from './text.ts';

// What operators send (venues, performers, events, price tiers, status changes) and what
// the public search takes, as zod schemas. Text is cleaned (control characters and lone
// surrogates out, spaces collapsed) before its length is checked.

export const EVENT_STATUSES = [
  'draft',
  'scheduled',
  'presale',
  'on_sale',
  'paused',
  'sold_out',
  'completed',
  'cancelled',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
/** Statuses fans see in search. */
export const LISTED_STATUSES: EventStatus[] = ['scheduled', 'presale', 'on_sale', 'paused', 'sold_out'];

/** Where an event may go from each status. */
export const TRANSITIONS: Record<EventStatus, EventStatus[]> = {
  draft: ['scheduled', 'presale', 'on_sale', 'cancelled'],
  scheduled: ['presale', 'on_sale', 'cancelled'],
  presale: ['on_sale', 'paused', 'sold_out', 'cancelled'],
  on_sale: ['paused', 'sold_out', 'completed', 'cancelled'],
  paused: ['presale', 'on_sale', 'sold_out', 'completed', 'cancelled'],
  sold_out: ['on_sale', 'completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const text = (min: number, max: number) =>
  z
    .string()
    .max(max * 4)
    .transform(clean)
    .pipe(z.string().min(min).max(max));

/** Ids in URLs: letters, digits, "-" and "_" (never "~", which separates hold ids). */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'ids are 1-64 letters, digits, "-" or "_"');
export const categorySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'categories are lower-case words like "concert" or "stand-up"');
const priceSchema = z.number().int().min(0).max(100_000_000);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const TEMPLATES = ['theatre', 'arena', 'stadium'] as const;

const venueFields = {
  name: text(1, 200),
  address: text(0, 300),
  city: text(1, 100),
  country: text(0, 100),
  lat: z.number().min(-90).max(90).nullable(),
  lng: z.number().min(-180).max(180).nullable(),
  /** Used while the venue has no chart; with one, the chart's seats and standing places count. */
  capacity: z.number().int().min(0).max(10_000_000),
};

const bothOrNeither = (v: { lat?: number | null; lng?: number | null }) =>
  (v.lat === undefined || v.lat === null) === (v.lng === undefined || v.lng === null);
const latLngMessage = { message: 'give lat and lng together', path: ['lng'] };

export const venueCreateSchema = z
  .object({
    id: idSchema.optional(),
    ...venueFields,
    address: venueFields.address.default(''),
    country: venueFields.country.default(''),
    lat: venueFields.lat.optional(),
    lng: venueFields.lng.optional(),
    capacity: venueFields.capacity.optional(),
    /** A chart in the documented format (validated separately, for exact problems)… */
    chart: z.unknown().optional(),
    /** …or one made by the generator. */
    chartTemplate: z.enum(TEMPLATES).optional(),
  })
  .strict()
  .refine(bothOrNeither, latLngMessage)
  .refine((v) => v.chart === undefined || v.chartTemplate === undefined, {
    message: 'give chart or chartTemplate, not both',
    path: ['chartTemplate'],
  });
export type VenueCreate = z.infer<typeof venueCreateSchema>;

export const venueUpdateSchema = z
  .object({
    name: venueFields.name.optional(),
    address: venueFields.address.optional(),
    city: venueFields.city.optional(),
    country: venueFields.country.optional(),
    lat: venueFields.lat.optional(),
    lng: venueFields.lng.optional(),
    capacity: venueFields.capacity.optional(),
  })
  .strict()
  .refine(bothOrNeither, latLngMessage);
export type VenueUpdate = z.infer<typeof venueUpdateSchema>;

export const performerCreateSchema = z
  .object({ id: idSchema.optional(), name: text(1, 200), description: text(0, 5000).default('') })
  .strict();
export type PerformerCreate = z.infer<typeof performerCreateSchema>;

export const performerUpdateSchema = z
  .object({ name: text(1, 200).optional(), description: text(0, 5000).optional() })
  .strict();
export type PerformerUpdate = z.infer<typeof performerUpdateSchema>;

export const priceTiersSchema = z
  .record(z.string().min(1).max(128), priceSchema)
  .refine((t) => Object.keys(t).length <= 255, 'at most 255 price tiers');

const eventFields = {
  name: text(1, 200),
  description: text(0, 5000),
  category: categorySchema,
  venueId: idSchema,
  performerIds: z
    .array(idSchema)
    .max(20)
    .refine((a) => new Set(a).size === a.length, 'performers are listed once each'),
  startsAt: instant,
  onSaleAt: instant.nullable(),
  presaleAt: instant.nullable(),
};

type Times = { startsAt?: Date; onSaleAt?: Date | null; presaleAt?: Date | null };
const timesInOrder = (t: Times) =>
  !(t.presaleAt && t.onSaleAt && t.presaleAt > t.onSaleAt) &&
  !(t.onSaleAt && t.startsAt && t.onSaleAt > t.startsAt) &&
  !(t.presaleAt && t.startsAt && t.presaleAt > t.startsAt);
const timesMessage = { message: 'presaleAt <= onSaleAt <= startsAt', path: ['onSaleAt'] };

export const eventCreateSchema = z
  .object({
    id: idSchema.optional(),
    ...eventFields,
    description: eventFields.description.default(''),
    performerIds: eventFields.performerIds.default([]),
    onSaleAt: eventFields.onSaleAt.optional(),
    presaleAt: eventFields.presaleAt.optional(),
    status: z.enum(['draft', 'scheduled', 'on_sale']).default('scheduled'),
    priceTiers: priceTiersSchema.default({}),
  })
  .strict()
  .refine(timesInOrder, timesMessage);
export type EventCreate = z.infer<typeof eventCreateSchema>;

export const eventUpdateSchema = z
  .object({
    name: eventFields.name.optional(),
    description: eventFields.description.optional(),
    category: eventFields.category.optional(),
    venueId: eventFields.venueId.optional(),
    performerIds: eventFields.performerIds.optional(),
    startsAt: eventFields.startsAt.optional(),
    onSaleAt: eventFields.onSaleAt.optional(),
    presaleAt: eventFields.presaleAt.optional(),
  })
  .strict();
export type EventUpdate = z.infer<typeof eventUpdateSchema>;
export { timesInOrder };

export const priceTiersBodySchema = z.object({ priceTiers: priceTiersSchema }).strict();
export const statusBodySchema = z.object({ status: z.enum(EVENT_STATUSES) }).strict();

// ---- the public search ------------------------------------------------------------------

export const SORTS = ['relevance', 'date', 'price', 'popularity'] as const;
export type Sort = (typeof SORTS)[number];
/** Longest query text; longer ones get a 400, never a slow query. */
export const MAX_QUERY = 200;
/** Deepest result reachable by paging (page * pageSize): search's EXACT_MAX. */
export const MAX_DEPTH = 10_000;

export interface SearchQuery {
  q: string;
  from: Date | null;
  to: Date | null;
  city: string | null;
  near: { lat: number; lng: number } | null;
  radiusKm: number;
  categories: string[];
  minPrice: number | null;
  maxPrice: number | null;
  sort: Sort;
  page: number;
  pageSize: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function bad(param: string, message: string): never {
  throw new CatalogError('INVALID_QUERY', `${param}: ${message}`);
}

function int(params: URLSearchParams, name: string, min: number, max: number, dflt: number): number;
function int(params: URLSearchParams, name: string, min: number, max: number, dflt: null): number | null;
function int(params: URLSearchParams, name: string, min: number, max: number, dflt: number | null) {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return dflt;
  if (!/^-?\d{1,12}$/.test(raw.trim())) bad(name, 'must be a whole number');
  const n = Number(raw.trim());
  if (n < min || n > max) bad(name, `must be between ${min} and ${max}`);
  return n;
}

/** A date (YYYY-MM-DD, UTC) or an ISO date-time; `end` makes a date mean the end of that day. */
function instantParam(params: URLSearchParams, name: string, end: boolean): Date | null {
  const raw = params.get(name)?.trim();
  if (!raw) return null;
  if (raw.length > 40) bad(name, 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time');
  const dateOnly = DATE_ONLY.test(raw);
  if (!dateOnly && !z.iso.datetime({ offset: true }).safeParse(raw).success) {
    bad(name, 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time');
  }
  const t = Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw);
  if (!Number.isFinite(t) || t < Date.UTC(1970, 0, 1) || t > Date.UTC(9999, 0, 1)) bad(name, 'out of range');
  return new Date(dateOnly && end ? t + DAY_MS : t);
}

function isDate(params: URLSearchParams, name: string): boolean {
  return DATE_ONLY.test(params.get(name)?.trim() ?? '');
}

function floatParam(raw: string, name: string, min: number, max: number): number {
  if (!/^-?\d{1,4}(\.\d{1,10})?$/.test(raw.trim())) bad(name, 'must be a number');
  const n = Number(raw);
  if (n < min || n > max) bad(name, `must be between ${min} and ${max}`);
  return n;
}

/** Parses and checks the search parameters; anything wrong is a 400 naming the parameter. */
export function parseSearchQuery(params: URLSearchParams): SearchQuery {
  const rawQ = params.get('q') ?? '';
  if (rawQ.length > MAX_QUERY * 4) bad('q', `at most ${MAX_QUERY} characters`);
  const q = clean(rawQ);
  if (q.length > MAX_QUERY) bad('q', `at most ${MAX_QUERY} characters`);

  const from = instantParam(params, 'from', false);
  const to = instantParam(params, 'to', true);
  // `to` is an exclusive end (a date's is the next midnight): to=2030-01-01 with
  // from=2030-01-02 names a day before from, and must not pass as an empty range.
  if (from && to && (to < from || (isDate(params, 'to') && to <= from))) bad('to', 'comes before from');

  const rawCity = params.get('city') ?? '';
  if (rawCity.length > 400) bad('city', 'at most 100 characters');
  const city = clean(rawCity);
  if (city.length > 100) bad('city', 'at most 100 characters');

  let near: SearchQuery['near'] = null;
  const rawNear = params.get('near');
  if (rawNear !== null && rawNear.trim() !== '') {
    const parts = rawNear.split(',');
    if (parts.length !== 2 || rawNear.length > 60) bad('near', 'must be "lat,lng"');
    near = { lat: floatParam(parts[0], 'near', -90, 90), lng: floatParam(parts[1], 'near', -180, 180) };
  }
  const rawRadius = params.get('radiusKm');
  const radiusKm = rawRadius && rawRadius.trim() !== '' ? floatParam(rawRadius, 'radiusKm', 0.1, 20_000) : 50;

  const rawCategory = params.get('category') ?? '';
  if (rawCategory.length > 400) bad('category', 'too long');
  const categories = rawCategory
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  if (categories.length > 10) bad('category', 'at most 10 categories');
  for (const c of categories)
    if (!categorySchema.safeParse(c).success) bad('category', `unknown category format "${c.slice(0, 32)}"`);

  const minPrice = int(params, 'minPrice', 0, 100_000_000, null);
  const maxPrice = int(params, 'maxPrice', 0, 100_000_000, null);
  if (minPrice !== null && maxPrice !== null && minPrice > maxPrice) bad('maxPrice', 'is below minPrice');

  const rawSort = params.get('sort');
  let sort: Sort = q ? 'relevance' : 'date';
  if (rawSort !== null && rawSort !== '') {
    if (!(SORTS as readonly string[]).includes(rawSort)) bad('sort', `one of ${SORTS.join(', ')}`);
    sort = rawSort as Sort;
  }
  const pageSize = int(params, 'pageSize', 1, 100, 20);
  const page = int(params, 'page', 1, MAX_DEPTH, 1);
  if (page * pageSize > MAX_DEPTH)
    bad('page', `results deeper than ${MAX_DEPTH} are not served; narrow the search`);

  return {
    q,
    from,
    to,
    city: city || null,
    near,
    radiusKm,
    categories,
    minPrice,
    maxPrice,
    sort,
    page,
    pageSize,
  };
}
