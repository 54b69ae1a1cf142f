import { checkChart } from '../../src/catalog/chart-format.ts';
import { eventCreateSchema, performerCreateSchema, venueCreateSchema } from '../../src/catalog/schema.ts';
import type { CatalogStore } from '../../src/catalog/store.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';

// A small catalog whose search answers are easy to state: three cities, six listed events
// with known dates, prices and popularity, a draft, a cancelled and a past event, and 25
// open-mic nights in London for paging.

export const DAY = 86_400_000;
export const at = (days: number) =>
  new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + 19 * 3_600_000);

/** Price tiers of the generator's theatre chart (categories P1..P4), cheapest `min`. */
export const tiers = (min: number) => ({ P1: min * 4, P2: min * 3, P3: min * 2, P4: min });

export const LISTED = [
  'beyonce-london',
  'beyonce-paris',
  'metallica-zurich',
  'swan-lake',
  'mahler',
  'comedy-night',
];

export async function loadFixtures(store: CatalogStore): Promise<void> {
  const theatre = checkChart(generateChart('theatre'));
  const venues = [
    {
      id: 'lyric',
      name: 'Royal Lyric Theatre',
      city: 'London',
      country: 'United Kingdom',
      lat: 51.51,
      lng: -0.12,
    },
    { id: 'tonhalle', name: 'Tonhalle', city: 'Zürich', country: 'Switzerland', lat: 47.37, lng: 8.54 },
    { id: 'pleyel', name: 'Salle Pleyel', city: 'Paris', country: 'France', lat: 48.88, lng: 2.3 },
  ];
  for (const v of venues) await store.createVenue(venueCreateSchema.parse(v), theatre);
  const performers = [
    { id: 'beyonce', name: 'Beyoncé', description: 'Singer from Houston.' },
    { id: 'metallica', name: 'Metallica', description: 'Heavy metal band.' },
    { id: 'zph', name: 'Zürich Philharmonic', description: 'Orchestra.' },
    { id: 'ballet', name: 'Paris Ballet Company', description: 'Ballet company.' },
    { id: 'comics', name: 'The Laughing Owls', description: 'Improv troupe.' },
  ];
  for (const p of performers) await store.createPerformer(performerCreateSchema.parse(p));
  const event = (e: Record<string, unknown>) =>
    store.createEvent(eventCreateSchema.parse({ status: 'on_sale', ...e }));
  await event({
    id: 'beyonce-london',
    name: 'Beyoncé: Renaissance World Tour',
    category: 'concert',
    venueId: 'lyric',
    performerIds: ['beyonce'],
    startsAt: at(10).toISOString(),
    priceTiers: tiers(8000),
    description: 'The stadium show comes indoors for one night.',
  });
  await event({
    id: 'beyonce-paris',
    name: 'Beyoncé Live',
    category: 'concert',
    venueId: 'pleyel',
    performerIds: ['beyonce'],
    startsAt: at(40).toISOString(),
    priceTiers: tiers(12_000),
  });
  await event({
    id: 'metallica-zurich',
    name: 'Metallica: M72 Tour',
    category: 'concert',
    venueId: 'tonhalle',
    performerIds: ['metallica'],
    startsAt: at(20).toISOString(),
    priceTiers: tiers(9000),
  });
  await event({
    id: 'swan-lake',
    name: 'Swan Lake',
    category: 'dance',
    venueId: 'pleyel',
    performerIds: ['ballet'],
    startsAt: at(5).toISOString(),
    priceTiers: tiers(4000),
    description: 'Tchaikovsky ballet in four acts with live orchestra.',
  });
  await event({
    id: 'mahler',
    name: 'Mahler 5',
    category: 'classical',
    venueId: 'tonhalle',
    performerIds: ['zph'],
    startsAt: at(15).toISOString(),
    priceTiers: tiers(3000),
    status: 'scheduled',
    onSaleAt: at(2).toISOString(),
  });
  await event({
    id: 'comedy-night',
    name: 'Comedy Night',
    category: 'comedy',
    venueId: 'lyric',
    performerIds: ['comics'],
    startsAt: at(3).toISOString(),
    priceTiers: tiers(1500),
  });
  await event({
    id: 'secret-show',
    name: 'Beyoncé Secret Show',
    category: 'concert',
    venueId: 'lyric',
    performerIds: ['beyonce'],
    startsAt: at(12).toISOString(),
    status: 'draft',
  });
  await event({
    id: 'cancelled-gig',
    name: 'Metallica Cancelled Gig',
    category: 'concert',
    venueId: 'lyric',
    performerIds: ['metallica'],
    startsAt: at(30).toISOString(),
    priceTiers: tiers(5000),
  });
  await store.setStatus('cancelled-gig', 'cancelled');
  await event({
    id: 'past-gig',
    name: 'Metallica Last Year',
    category: 'concert',
    venueId: 'lyric',
    performerIds: ['metallica'],
    startsAt: at(-3).toISOString(),
    priceTiers: tiers(5000),
  });
  for (let i = 1; i <= 25; i++) {
    await event({
      id: `open-mic-${String(i).padStart(2, '0')}`,
      name: `Open Mic Night ${i}`,
      category: 'comedy',
      venueId: 'lyric',
      startsAt: at(50 + i).toISOString(),
      priceTiers: { P4: 500 + i * 10 },
    });
  }
  // Popularity: the events' demand score (set directly; sales move it later).
  await store.addPopularity([
    { id: 'beyonce-london', delta: 900 },
    { id: 'beyonce-paris', delta: 500 },
    { id: 'metallica-zurich', delta: 800 },
    { id: 'swan-lake', delta: 100 },
    { id: 'mahler', delta: 50 },
    { id: 'comedy-night', delta: 300 },
  ]);
}
