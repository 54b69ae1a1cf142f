// Seat status codes as stored in the state's Uint8Array and sent in deltas.
export const AVAILABLE = 0;
export const HELD = 1;
export const BOOKED = 2;
export const BLOCKED = 3;
export const NOT_FOR_SALE = 4;
/** Booked, and offered again by its holder on the resale market (src/resale). */
export const RESALE = 5;

export const STATUS_NAMES = ['available', 'held', 'booked', 'blocked', 'notForSale', 'resale'] as const;
export type StatusName = (typeof STATUS_NAMES)[number];
