import type { Chart } from '../domain/chart.ts';
import { defaultPrices, generateChart, type VenueKind } from '../domain/chart-generator.ts';
import type { BulkEvent, BulkPerformer, BulkVenue } from './bulk.ts';
import { bulkEvents, bulkPerformers, bulkVenues } from './bulk.ts';
import type { EventStatus } from './schema.ts';
import type { CatalogStore, ChartImport } from './store.ts';
import { slug } from './text.ts';

// Realistic made-up catalogs: the demo loaded into an empty database on first start (a few
// hundred events in eight cities, the 81,450-seat demo stadium among them) and, with other
// sizes, the search benchmark's 100,000 events. Deterministic for a seed.

export const DEMO_EVENT_ID = 'demo-stadium';

export const CITIES = [
  { name: 'London', country: 'United Kingdom', lat: 51.5074, lng: -0.1278 },
  { name: 'Manchester', country: 'United Kingdom', lat: 53.4808, lng: -2.2426 },
  { name: 'Paris', country: 'France', lat: 48.8566, lng: 2.3522 },
  { name: 'Berlin', country: 'Germany', lat: 52.52, lng: 13.405 },
  { name: 'Madrid', country: 'Spain', lat: 40.4168, lng: -3.7038 },
  { name: 'Amsterdam', country: 'Netherlands', lat: 52.3676, lng: 4.9041 },
  { name: 'New York', country: 'United States', lat: 40.7128, lng: -74.006 },
  { name: 'Chicago', country: 'United States', lat: 41.8781, lng: -87.6298 },
  { name: 'Zürich', country: 'Switzerland', lat: 47.3769, lng: 8.5417 },
  { name: 'Montréal', country: 'Canada', lat: 45.5017, lng: -73.5673 },
  { name: 'São Paulo', country: 'Brazil', lat: -23.5505, lng: -46.6333 },
  { name: 'Glasgow', country: 'United Kingdom', lat: 55.8642, lng: -4.2518 },
  { name: 'Dublin', country: 'Ireland', lat: 53.3498, lng: -6.2603 },
  { name: 'Lyon', country: 'France', lat: 45.764, lng: 4.8357 },
  { name: 'Munich', country: 'Germany', lat: 48.1351, lng: 11.582 },
  { name: 'Hamburg', country: 'Germany', lat: 53.5511, lng: 9.9937 },
  { name: 'Brussels', country: 'Belgium', lat: 50.8503, lng: 4.3517 },
  { name: 'Barcelona', country: 'Spain', lat: 41.3874, lng: 2.1686 },
  { name: 'Lisbon', country: 'Portugal', lat: 38.7223, lng: -9.1393 },
  { name: 'Rome', country: 'Italy', lat: 41.9028, lng: 12.4964 },
  { name: 'Milan', country: 'Italy', lat: 45.4642, lng: 9.19 },
  { name: 'Vienna', country: 'Austria', lat: 48.2082, lng: 16.3738 },
  { name: 'Copenhagen', country: 'Denmark', lat: 55.6761, lng: 12.5683 },
  { name: 'Stockholm', country: 'Sweden', lat: 59.3293, lng: 18.0686 },
  { name: 'Oslo', country: 'Norway', lat: 59.9139, lng: 10.7522 },
  { name: 'Kraków', country: 'Poland', lat: 50.0647, lng: 19.945 },
  { name: 'Prague', country: 'Czechia', lat: 50.0755, lng: 14.4378 },
  { name: 'Budapest', country: 'Hungary', lat: 47.4979, lng: 19.0402 },
  { name: 'Los Angeles', country: 'United States', lat: 34.0522, lng: -118.2437 },
  { name: 'San Francisco', country: 'United States', lat: 37.7749, lng: -122.4194 },
  { name: 'Seattle', country: 'United States', lat: 47.6062, lng: -122.3321 },
  { name: 'Austin', country: 'United States', lat: 30.2672, lng: -97.7431 },
  { name: 'Nashville', country: 'United States', lat: 36.1627, lng: -86.7816 },
  { name: 'Boston', country: 'United States', lat: 42.3601, lng: -71.0589 },
  { name: 'Toronto', country: 'Canada', lat: 43.6532, lng: -79.3832 },
  { name: 'Vancouver', country: 'Canada', lat: 49.2827, lng: -123.1207 },
  { name: 'Mexico City', country: 'Mexico', lat: 19.4326, lng: -99.1332 },
  { name: 'Sydney', country: 'Australia', lat: -33.8688, lng: 151.2093 },
  { name: 'Melbourne', country: 'Australia', lat: -37.8136, lng: 144.9631 },
  { name: 'Tokyo', country: 'Japan', lat: 35.6762, lng: 139.6503 },
];

export const CATEGORIES = [
  'concert',
  'theatre',
  'comedy',
  'sports',
  'classical',
  'dance',
  'family',
  'festival',
];

const FIRST = [
  'Clara',
  'Malik',
  'Inès',
  'Sofia',
  'Björn',
  'José',
  'Chloé',
  'Zoë',
  'Amara',
  'Luca',
  'Niamh',
  'Kenji',
  'Freya',
  'Mateo',
  'Aisha',
  'Oskar',
  'Léa',
  'Ravi',
  'Elena',
  'Tomás',
  'Noor',
  'Hugo',
  'Maya',
  'Ciarán',
  'Yuki',
  'Ada',
  'Felix',
  'Imani',
  'Rosa',
  'Dmitri',
  'Selin',
  'Jonah',
  'Priya',
  'Emil',
  'Lucía',
  'Theo',
  'Nadia',
  'Ezra',
];
const LAST = [
  'Voss',
  'Okafor',
  'Moreau',
  'Lindqvist',
  'Halvorsen',
  'Álvarez',
  'Dubois',
  'Hart',
  'Mensah',
  'Romano',
  'Byrne',
  'Tanaka',
  'Nilsen',
  'García',
  'Rahman',
  'Weiß',
  'Fontaine',
  'Iyer',
  'Petrova',
  'Ferreira',
  'Haddad',
  'Laurent',
  'Kowalski',
  'Ó Súilleabháin',
  'Sato',
  'Lovelace',
  'Brandt',
  'Adeyemi',
  'Castillo',
  'Novak',
  'Yılmaz',
  'Stone',
  'Kapoor',
  'Jensen',
  'Navarro',
  'Quinn',
  'Haas',
  'Bloom',
];
const BAND_ADJ = [
  'Midnight',
  'Velvet',
  'Electric',
  'Silver',
  'Crimson',
  'Wild',
  'Hollow',
  'Golden',
  'Neon',
  'Paper',
  'Lonely',
  'Burning',
  'Northern',
  'Atomic',
  'Glass',
  'Broken',
  'Restless',
  'Distant',
  'Cosmic',
  'Quiet',
];
const BAND_NOUN = [
  'Owls',
  'Wolves',
  'Tides',
  'Ghosts',
  'Rivers',
  'Satellites',
  'Lanterns',
  'Sparrows',
  'Harbours',
  'Comets',
  'Echoes',
  'Mirrors',
  'Arrows',
  'Foxes',
  'Pilots',
  'Heroes',
  'Strangers',
  'Machines',
  'Gardens',
  'Kites',
];
const TOURS = [
  'Northern Lights',
  'After Hours',
  'Electric Dreams',
  'Homecoming',
  'Golden Hour',
  'Wildfire',
  'Silver Linings',
  'Echoes',
  'Midnight Sun',
  'Paper Hearts',
  'Neon Nights',
  'Long Way Home',
  'Satellite',
  'Open Roads',
];
const SHOWS = [
  'Work in Progress',
  'Overthinking It',
  'No Refunds',
  'Late Again',
  'Small Talk',
  'Mostly Harmless',
  'Please Clap',
  'Room Temperature',
  'Unfiltered',
  'Bad Decisions',
];
const WORKS = [
  "Beethoven's Ninth",
  'Mahler 5',
  'Brahms and Dvořák',
  "Tchaikovsky's Piano Concerto No. 1",
  "Vivaldi's Four Seasons",
  "Mozart's Requiem",
  "Sibelius' Second",
  'Rachmaninoff Night',
  "Holst's The Planets",
  'Bach Goldberg Variations',
  "Schubert's Unfinished",
  'Dvořák New World Symphony',
];
const PLAYS = [
  'Hamlet',
  'Macbeth',
  'The Seagull',
  "A Doll's House",
  'The Importance of Being Earnest',
  'Pygmalion',
  'Cyrano de Bergerac',
  'Peer Gynt',
  'Uncle Vanya',
  'Twelfth Night',
  'Much Ado About Nothing',
  'The Cherry Orchard',
  'An Ideal Husband',
  'The Tempest',
  'Antigone',
  'Three Sisters',
];
const BALLETS = [
  'Swan Lake',
  'The Nutcracker',
  'Giselle',
  'Coppélia',
  'La Bayadère',
  'Don Quixote',
  'The Firebird',
];
const FAMILY = [
  'Alice in Wonderland',
  'The Wizard of Oz',
  'Pinocchio',
  'Treasure Island',
  'The Jungle Book',
  'Dinosaurs Live!',
  'Circus of Wonders',
  'The Snow Queen',
  'Magic Lantern Circus',
];
const MASCOTS = [
  'Lions',
  'Falcons',
  'Royals',
  'Rovers',
  'United',
  'Thunder',
  'Hawks',
  'Wolves',
  'Comets',
  'Giants',
];
const GENRES = ['Jazz', 'Folk', 'Electronic', 'Blues', 'Indie', 'World Music', 'Soul'];
const THEATRES = [
  'Royal Lyric Theatre',
  'Palace Theatre',
  'Apollo Playhouse',
  'Empire Music Hall',
  'Majestic Theatre',
  'Orpheum Theatre',
  'Alhambra Concert Hall',
  'Regent Opera House',
  'Gaiety Theatre',
  'Adelphi Playhouse',
];
const ARENAS = ['Arena', 'Riverside Arena', 'Harbour Arena', 'Summit Arena', 'Union Arena'];

export type Rand = () => number;

export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

type PerformerKind = 'band' | 'solo' | 'comedian' | 'orchestra' | 'company' | 'team';

interface GenPerformer extends BulkPerformer {
  kind: PerformerKind;
}

/** Made-up performers: bands, solo artists, comedians, orchestras, companies and teams. */
export function makePerformers(r: Rand, n: number): GenPerformer[] {
  const out: GenPerformer[] = [];
  const names = new Set<string>();
  const kinds: PerformerKind[] = [
    'band',
    'solo',
    'company',
    'comedian',
    'band',
    'solo',
    'orchestra',
    'company',
    'team',
  ];
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const kind = kinds[tries % kinds.length];
    const city = pick(r, CITIES).name;
    const person = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    let name: string;
    let description: string;
    switch (kind) {
      case 'band':
        name =
          r() < 0.5
            ? `The ${pick(r, BAND_ADJ)} ${pick(r, BAND_NOUN)}`
            : `${pick(r, BAND_ADJ)} ${pick(r, BAND_NOUN)}`;
        description = `${pick(r, GENRES)}-tinged rock band from ${city}.`;
        break;
      case 'solo':
        name = person;
        description = `Singer-songwriter from ${city}.`;
        break;
      case 'comedian':
        name = person;
        description = `Stand-up comedian from ${city}.`;
        break;
      case 'orchestra':
        name = `${city} ${pick(r, ['Philharmonic Orchestra', 'Symphony Orchestra', 'Chamber Orchestra', 'String Quartet'])}`;
        description = `Classical ensemble based in ${city}.`;
        break;
      case 'company':
        name = `${city} ${pick(r, ['Repertory Company', 'Ballet', 'Players', 'Theatre Company'])}`;
        description = `Touring company from ${city}.`;
        break;
      case 'team':
        name = `${city} ${pick(r, MASCOTS)}`;
        description = `Professional team from ${city}.`;
        break;
    }
    if (names.has(name)) continue;
    names.add(name);
    out.push({ id: `${slug(name, 50)}-${out.length}`, name, description, kind });
  }
  return out;
}

const KIND_CATEGORIES: Record<PerformerKind, string[]> = {
  band: ['concert', 'concert', 'concert', 'concert', 'festival'],
  solo: ['concert', 'concert', 'concert', 'concert', 'festival'],
  comedian: ['comedy'],
  orchestra: ['classical'],
  company: ['theatre', 'theatre', 'dance', 'family'],
  team: ['sports'],
};
const PRICE_SCALE: Record<string, number> = {
  concert: 1,
  festival: 0.9,
  comedy: 0.45,
  classical: 0.8,
  theatre: 0.85,
  dance: 0.75,
  family: 0.35,
  sports: 0.6,
};

interface Pools {
  all: GenPerformer[];
  /** Everyone but sports teams (for venues too small for a match). */
  indoor: GenPerformer[];
  music: GenPerformer[];
  teams: GenPerformer[];
}

function poolsOf(performers: GenPerformer[]): Pools {
  return {
    all: performers,
    indoor: performers.filter((p) => p.kind !== 'team'),
    music: performers.filter((p) => p.kind === 'band' || p.kind === 'solo'),
    teams: performers.filter((p) => p.kind === 'team'),
  };
}

type EventCore = Pick<BulkEvent, 'name' | 'description' | 'category' | 'performerIds'>;

function eventOf(r: Rand, pools: Pools, venue: BulkVenue): EventCore {
  const p = pick(r, venue.chart.seats < 5000 ? pools.indoor : pools.all);
  const category = pick(r, KIND_CATEGORIES[p.kind]);
  const at = `${venue.name}, ${venue.city}`;
  switch (category) {
    case 'concert': {
      const tour = pick(r, TOURS);
      const q = pick(r, pools.music);
      if (r() < 0.2 && q.id !== p.id) {
        return {
          name: `${p.name} with ${q.name}`,
          description: `${p.name} and special guest ${q.name} on the ${tour} tour at ${at}.`,
          category,
          performerIds: [p.id, q.id],
        };
      }
      return {
        name: r() < 0.6 ? `${p.name}: ${tour} Tour` : `${p.name} Live`,
        description: `${p.name} bring the ${tour} tour to ${at}. ${p.description}`,
        category,
        performerIds: [p.id],
      };
    }
    case 'festival': {
      const genre = pick(r, GENRES);
      return {
        name: `${venue.city} ${genre} Festival`,
        description: `A day of ${genre.toLowerCase()} at ${at}, headlined by ${p.name}.`,
        category,
        performerIds: [p.id],
      };
    }
    case 'comedy': {
      const show = pick(r, SHOWS);
      return {
        name: `${p.name}: ${show}`,
        description: `${p.name} tries out ${show}, a new hour of stand-up, at ${at}.`,
        category,
        performerIds: [p.id],
      };
    }
    case 'classical': {
      const work = pick(r, WORKS);
      return {
        name: `${p.name}: ${work}`,
        description: `${p.name} perform ${work} at ${at}.`,
        category,
        performerIds: [p.id],
      };
    }
    case 'sports': {
      const other = pick(r, pools.teams);
      return other.id !== p.id
        ? {
            name: `${p.name} vs ${other.name}`,
            description: `League match at ${at}.`,
            category,
            performerIds: [p.id, other.id],
          }
        : {
            name: `${p.name} Open Training`,
            description: `Open training at ${at}.`,
            category,
            performerIds: [p.id],
          };
    }
    default: {
      const title = pick(r, category === 'dance' ? BALLETS : category === 'family' ? FAMILY : PLAYS);
      return {
        name: title,
        description: `${p.name} present ${title} at ${at}.`,
        category,
        performerIds: [p.id],
      };
    }
  }
}

function tiersFor(r: Rand, venue: BulkVenue, category: string): Record<string, number> {
  const base = defaultPrices(venue.chart.chart);
  const scale = PRICE_SCALE[category] * (0.7 + r() * 0.8);
  return Object.fromEntries(
    Object.entries(base).map(([c, cents]) => [
      c,
      Math.max(900, Math.round((cents * scale) / 100) * 100 - 100),
    ]),
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CatalogSpec {
  seed: number;
  now: Date;
  /** How many of CITIES to use. */
  cities: number;
  /** Venue kinds per city (the same list for every city). */
  venueKinds: VenueKind[];
  performers: number;
  events: number;
  /** Days ahead the events spread over. */
  days: number;
}

export interface GeneratedCatalog {
  venues: BulkVenue[];
  performers: BulkPerformer[];
  events: BulkEvent[];
}

/**
 * A chart from the generator as the catalog stores it, with its JSON (for venues with other
 * ids, the same text with theirs; built by joining, not by serialising the chart again).
 * Not validated here: the generator's charts are valid by construction, and
 * test/catalog/demo-charts.test.ts checks every kind against the chart format (validateChart),
 * the validated chart being the same JSON. Validating the stadium took half a second of
 * every first start.
 */
export function generatedChart(
  kind: VenueKind,
  id?: string,
): { chart: ChartImport; json(id: string): string } {
  const chart = generateChart(kind, id);
  let seats = 0;
  for (const section of chart.sections) for (const row of section.rows) seats += row.seats.length;
  const gaCapacity = chart.gaAreas.reduce((n, a) => n + a.capacity, 0);
  const key = (v: string) => `"id":${JSON.stringify(v)}`;
  const [head, tail, ...more] = JSON.stringify(chart).split(key(chart.id));
  if (tail === undefined || more.length > 0)
    throw new Error(`chart id ${chart.id} is not unique in its JSON`);
  return { chart: { chart, seats, gaCapacity }, json: (to) => head + key(to) + tail };
}

/** A whole made-up catalog. Charts come from the generator (one per kind, shared). */
export function generateCatalog(spec: CatalogSpec): GeneratedCatalog {
  const r = rng(spec.seed);
  const charts = new Map<VenueKind, ReturnType<typeof generatedChart>>();
  const chartOf = (kind: VenueKind, id: string): Pick<BulkVenue, 'chart' | 'chartJson'> => {
    let c = charts.get(kind);
    if (!c) {
      c = generatedChart(kind);
      charts.set(kind, c);
    }
    const chart: Chart = { ...c.chart.chart, id };
    return { chart: { ...c.chart, chart }, chartJson: c.json(id) };
  };
  const venues: BulkVenue[] = [];
  CITIES.slice(0, spec.cities).forEach((city, ci) => {
    spec.venueKinds.forEach((kind, k) => {
      const name =
        kind === 'stadium'
          ? 'National Stadium'
          : kind === 'arena'
            ? `${city.name} ${ARENAS[(ci + k) % ARENAS.length]}`
            : THEATRES[(ci * 3 + k) % THEATRES.length];
      const id = `${slug(`${name} ${city.name}`, 50)}`;
      venues.push({
        id,
        name,
        address: `${1 + Math.floor(r() * 200)} ${pick(r, ['High Street', 'Market Square', 'Riverside Walk', 'Station Road', 'Park Avenue'])}`,
        city: city.name,
        country: city.country,
        lat: Math.round((city.lat + (r() - 0.5) * 0.08) * 1e5) / 1e5,
        lng: Math.round((city.lng + (r() - 0.5) * 0.08) * 1e5) / 1e5,
        ...chartOf(kind, id),
      });
    });
  });
  const performers = makePerformers(r, spec.performers);
  const pools = poolsOf(performers);
  const events: BulkEvent[] = [];
  for (let i = 0; i < spec.events; i++) {
    const venue = venues[i % venues.length];
    const e = eventOf(r, pools, venue);
    const day = Math.floor(r() * spec.days) + 1;
    const startsAt = new Date(
      Math.floor(spec.now.getTime() / DAY) * DAY +
        day * DAY +
        (18 + Math.floor(r() * 4)) * HOUR +
        30 * 60_000,
    );
    const roll = r();
    const status: EventStatus =
      roll < 0.82
        ? 'on_sale'
        : roll < 0.92
          ? 'scheduled'
          : roll < 0.95
            ? 'sold_out'
            : roll < 0.97
              ? 'paused'
              : roll < 0.99
                ? 'draft'
                : 'cancelled';
    const onSaleAt =
      status === 'scheduled'
        ? new Date(Math.min(startsAt.getTime() - DAY, spec.now.getTime() + (1 + Math.floor(r() * 14)) * DAY))
        : new Date(spec.now.getTime() - Math.floor(r() * 30 + 1) * DAY);
    events.push({
      ...e,
      id: `${slug(e.name, 40)}-${i.toString(36)}`,
      venueId: venue.id,
      startsAt,
      onSaleAt,
      presaleAt: r() < 0.3 ? new Date(onSaleAt.getTime() - 2 * DAY) : null,
      status,
      popularity: Math.floor(10_000 * r() ** 3),
      priceTiers: tiersFor(r, venue, e.category),
    });
  }
  return { venues, performers, events };
}

/**
 * The demo: eight cities, each with a theatre (and four with an arena), the National
 * Stadium in London with the 81,450-seat demo event, and 300 events in all.
 */
export async function loadDemoCatalog(
  store: CatalogStore,
  now: Date,
): Promise<{ venues: number; performers: number; events: number }> {
  const theatres = generateCatalog({
    seed: 2026,
    now,
    cities: 8,
    venueKinds: ['theatre'],
    performers: 90,
    events: 290,
    days: 180,
  });
  const arenas = generateCatalog({
    seed: 7,
    now,
    cities: 4,
    venueKinds: ['arena'],
    performers: 0,
    events: 0,
    days: 0,
  });
  const { chart: stadiumChart, json: stadiumJson } = generatedChart('stadium', DEMO_EVENT_ID);
  const stadium = stadiumChart.chart;
  const nationalStadium: BulkVenue = {
    id: 'national-stadium-london',
    name: 'National Stadium',
    address: '1 Stadium Way',
    city: 'London',
    country: 'United Kingdom',
    lat: 51.556,
    lng: -0.2796,
    chart: stadiumChart,
    chartJson: stadiumJson(DEMO_EVENT_ID),
  };
  const r = rng(99);
  const bands = theatres.performers.filter(
    (p) => p.description.includes('band') || p.description.includes('Singer'),
  );
  const arenaEvents: BulkEvent[] = arenas.venues.flatMap((venue, v) =>
    [0, 1, 2].map((k) => {
      const p = bands[(v * 3 + k) % bands.length];
      const tour = TOURS[(v * 3 + k) % TOURS.length];
      return {
        id: `${slug(p.name, 40)}-arena-${v}${k}`,
        name: `${p.name}: ${tour} Tour`,
        description: `${p.name} bring the ${tour} tour to ${venue.name}, ${venue.city}.`,
        category: 'concert',
        venueId: venue.id,
        startsAt: new Date(Math.floor(now.getTime() / DAY) * DAY + (20 + v * 7 + k * 30) * DAY + 19 * HOUR),
        onSaleAt: new Date(now.getTime() - DAY),
        presaleAt: null,
        status: 'on_sale' as const,
        popularity: 5000 + Math.floor(r() * 3000),
        performerIds: [p.id],
        priceTiers: tiersFor(r, venue, 'concert'),
      };
    }),
  );
  const headliner = bands[0];
  const demo: BulkEvent = {
    id: DEMO_EVENT_ID,
    name: 'Demo Night at the National Stadium',
    description: `${headliner.name} headline the demo night: 81,450 seats and two standing floors.`,
    category: 'concert',
    venueId: nationalStadium.id,
    startsAt: new Date(Math.floor(now.getTime() / DAY) * DAY + 60 * DAY + 19 * HOUR),
    onSaleAt: new Date(now.getTime() - DAY),
    presaleAt: null,
    status: 'on_sale',
    popularity: 10_000,
    performerIds: [headliner.id],
    priceTiers: defaultPrices(stadium),
  };
  const venues = [...theatres.venues, ...arenas.venues, nationalStadium];
  const events = [demo, ...arenaEvents, ...theatres.events];
  await store.db.transaction(async (tx) => {
    await bulkVenues(tx, venues);
    await bulkPerformers(tx, theatres.performers);
    await bulkEvents(tx, events);
  });
  return { venues: venues.length, performers: theatres.performers.length, events: events.length };
}
