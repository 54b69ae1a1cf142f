import { SEAT_STATUS } from '../../sdk/index.ts';

// What colour a seat is: its price tier's while it can be bought, else its status's; the
// fan's own holds and the current selection stand out. Pure: the renderer and the legend
// both read these tables, and the tests check every status has a paint of its own.

export const STATUS = {
  available: SEAT_STATUS.available,
  held: SEAT_STATUS.held,
  booked: SEAT_STATUS.booked,
  blocked: SEAT_STATUS.blocked,
  notForSale: SEAT_STATUS.notForSale,
  // Code 5 (a booked seat offered again): arriving in src/domain/seat-status.ts now.
  resale: (SEAT_STATUS as Record<string, number>).resale ?? 5,
} as const;

/** Distinct hues in tier order (dearest first), each readable on light and dark grounds. */
export const TIER_COLOURS = [
  '#8250df',
  '#0969da',
  '#1a7f37',
  '#bc4c00',
  '#bf3989',
  '#953800',
  '#9a6700',
  '#6639ba',
  '#2da44e',
  '#d1242f',
];

/** Paints after the tiers' (index = tierCount + offset). */
export const FIXED_PAINTS = {
  heldByOthers: { colour: '#afb8c1', label: 'Held by others' },
  heldByMe: { colour: '#ffb000', label: 'Held by you' },
  selected: { colour: '#111111', label: 'Selected' },
  sold: { colour: '#57606a', label: 'Sold' },
  resale: { colour: '#11b5a4', label: 'Resale' },
  blocked: { colour: '#424a53', label: 'Blocked' },
  notForSale: { colour: '#d8dee4', label: 'Not for sale' },
} as const;
export type FixedPaint = keyof typeof FIXED_PAINTS;
const FIXED_ORDER = Object.keys(FIXED_PAINTS) as FixedPaint[];

export interface PriceTier {
  category: string;
  name: string;
  /** Minor units (cents). */
  price: number;
}

export interface Palette {
  /** CSS colour of every paint index. */
  colours: string[];
  /** The same as 0xAABBGGRR, the byte order of ImageData on little-endian machines. */
  rgba: Uint32Array;
  /** Paint of an available seat of each chart category (a category without a tier is not for sale). */
  categoryPaint: Uint8Array;
  /** Price of each chart category in minor units, or -1 when it has no tier. */
  categoryPrice: Float64Array;
  tierCount: number;
  /** The legend's price rows: one per tier, dearest first. */
  tiers: { name: string; price: number; colour: string; category: string }[];
  fixed: Record<FixedPaint, number>;
}

export function parseHex(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = Number.parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Builds the palette for a chart's categories and the event's price tiers. */
export function buildPalette(
  categories: { id: string }[],
  priceTiers: PriceTier[],
  /** Colours for some statuses instead of the defaults (the selection takes the page's text colour). */
  overrides: Partial<Record<FixedPaint, string>> = {},
): Palette {
  const tiers = [...priceTiers].sort((a, b) => b.price - a.price);
  const colours = tiers.map((_, i) => TIER_COLOURS[i % TIER_COLOURS.length]);
  const fixed = {} as Record<FixedPaint, number>;
  for (const name of FIXED_ORDER) {
    fixed[name] = colours.length;
    colours.push(overrides[name] ?? FIXED_PAINTS[name].colour);
  }
  const tierOf = new Map(tiers.map((t, i) => [t.category, i]));
  const categoryPaint = new Uint8Array(256).fill(fixed.notForSale);
  const categoryPrice = new Float64Array(256).fill(-1);
  categories.forEach((c, i) => {
    const t = tierOf.get(c.id);
    if (t === undefined) return;
    categoryPaint[i] = t;
    categoryPrice[i] = tiers[t].price;
  });
  const rgba = new Uint32Array(colours.length);
  colours.forEach((c, i) => {
    const [r, g, b] = parseHex(c);
    rgba[i] = (0xff << 24) | (b << 16) | (g << 8) | r;
  });
  return {
    colours,
    rgba,
    categoryPaint,
    categoryPrice,
    tierCount: tiers.length,
    tiers: tiers.map((t, i) => ({ name: t.name, price: t.price, colour: colours[i], category: t.category })),
    fixed,
  };
}

/** The paint of one seat. */
export function seatPaint(
  p: Palette,
  status: number,
  category: number,
  mine: boolean,
  selected: boolean,
): number {
  switch (status) {
    case STATUS.available:
      return selected ? p.fixed.selected : p.categoryPaint[category];
    case STATUS.held:
      return mine ? p.fixed.heldByMe : p.fixed.heldByOthers;
    case STATUS.booked:
      return p.fixed.sold;
    case STATUS.resale:
      return selected ? p.fixed.selected : p.fixed.resale;
    case STATUS.blocked:
      return p.fixed.blocked;
    default:
      return p.fixed.notForSale;
  }
}

/** Whether a fan may pick a seat of this status (resale seats are bought on the resale market). */
export const pickable = (status: number) => status === STATUS.available;

const NAMES: Record<number, string> = {
  [STATUS.available]: 'available',
  [STATUS.held]: 'held',
  [STATUS.booked]: 'sold',
  [STATUS.blocked]: 'blocked',
  [STATUS.notForSale]: 'not for sale',
  [STATUS.resale]: 'offered for resale',
};

/** The words for a status, as tooltips and the seat list say it. */
export function statusText(status: number, mine: boolean): string {
  if (status === STATUS.held && mine) return 'held by you';
  if (status === STATUS.held) return 'held by someone else';
  return NAMES[status] ?? `status ${status}`;
}

/** Minor units as money: 24900 → "€249.00" (the currency is the server's; EUR until events carry one). */
export function formatPrice(minor: number, currency = 'EUR', locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}
