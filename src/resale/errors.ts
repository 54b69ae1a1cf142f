import { AppError, quoted } from '../errors.ts';

// The resale market's refusals. Codes, not HTTP: the gateway's table gives each its status.

export class ResaleError extends AppError {}

export const listingNotFound = (id: string): ResaleError =>
  new ResaleError('LISTING_NOT_FOUND', `no listing ${quoted(id)}`);

export const listingUnavailable = (why: string): ResaleError => new ResaleError('LISTING_UNAVAILABLE', why);

export const aboveCap = (price: number, cap: number, currency: string): ResaleError =>
  new ResaleError(
    'RESALE_ABOVE_CAP',
    `this ticket may be offered for at most ${cap} (${currency} minor units); asked ${price}`,
  );

export const listingExists = (): ResaleError =>
  new ResaleError('LISTING_EXISTS', 'this ticket is on offer already: withdraw that listing first');

export const resaleClosed = (why: string): ResaleError => new ResaleError('RESALE_CLOSED', why);

export const placesNotListable = (): ResaleError =>
  new ResaleError(
    'PLACES_NOT_LISTABLE',
    'standing places cannot be resold: the seat map moves seats between fans, not places',
  );
