// Resale: a fan offers a ticket at a capped price, withdraws it, and anyone lists an event's
// offers; a listing is bought through checkout ({eventId, listings: [id]}).
import type { OnsaleHttp } from './http.ts';

export interface Listing {
  id: string;
  eventId: string;
  ticketId: string;
  item: string;
  label: string;
  category: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
  status: 'listed' | 'sold' | 'withdrawn';
  /** A buyer is paying for it until then. */
  reservedUntil: string | null;
  createdAt: string;
  /** When listing: the most this ticket may be offered for. */
  cap?: number;
}

const at = encodeURIComponent;

/** Offers the ticket at `price` (minor units); 422 RESALE_ABOVE_CAP says the cap. */
export async function listForResale(http: OnsaleHttp, ticketId: string, price: number): Promise<Listing> {
  return (await http.request<{ listing: Listing }>('POST', `/api/tickets/${at(ticketId)}/resale`, { price }))
    .listing;
}

/** Takes the ticket off sale again (it stays the seller's). */
export async function withdrawListing(http: OnsaleHttp, listingId: string): Promise<Listing> {
  return (await http.request<{ listing: Listing }>('DELETE', `/api/resale/${at(listingId)}`)).listing;
}

/** The most this ticket may be offered for, and its face value (minor units). */
export function resaleCap(
  http: OnsaleHttp,
  ticketId: string,
): Promise<{ ticketId: string; cap: number; faceValue: number }> {
  return http.request('GET', `/api/tickets/${at(ticketId)}/resale-cap`);
}

/** The signed-in fan's listings, newest first. */
export async function myListings(http: OnsaleHttp): Promise<Listing[]> {
  return (await http.request<{ listings: Listing[] }>('GET', '/api/resale/mine')).listings;
}

/** The event's listings on offer, cheapest first. */
export async function eventListings(http: OnsaleHttp, eventId: string): Promise<Listing[]> {
  return (await http.request<{ listings: Listing[] }>('GET', `/api/events/${at(eventId)}/resale`)).listings;
}
