import { STATUS_CODES } from 'node:http';

// The one table from error codes to HTTP statuses. Capabilities raise codes (AppError, and
// the domain's rejections); only the gateway knows what they mean in HTTP. A test checks that
// every code the sources can raise is here.

export const HTTP_STATUS: Readonly<Record<string, number>> = {
  // The request itself (the router).
  BAD_PATH: 400,
  BAD_JSON: 400,
  INVALID_BODY: 400,
  INVALID_QUERY: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  MISSING_HOST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NO_GC: 501,
  UNAVAILABLE: 503,

  // Seats: the domain's rejections and the seat map's own.
  INVALID_COMMAND: 400,
  UNKNOWN_SEAT: 400,
  UNKNOWN_AREA: 400,
  UNKNOWN_CATEGORY: 400,
  DUPLICATE_SEAT: 400,
  SEAT_UNAVAILABLE: 409,
  NO_SEATS_AVAILABLE: 409,
  GA_SOLD_OUT: 409,
  HOLD_EXISTS: 409,
  SALE_NOT_OPEN: 409,
  PRESALE_ONLY: 403,
  LIMIT_PER_ORDER: 422,
  LIMIT_PER_FAN: 422,
  COMPANION_WITHOUT_ACCESSIBLE: 422,
  HOLD_EXTEND_LIMIT: 422,
  HOLD_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  SEAT_NOT_IN_ORDER: 400,
  NOT_HOLDER: 403,
  NOT_OWNER: 403,
  HOLD_EXPIRED: 410,
  NOTHING_DUE: 400,
  ACCESS_REQUIRED: 403,

  // Catalog.
  EVENT_NOT_FOUND: 404,
  VENUE_NOT_FOUND: 404,
  PERFORMER_NOT_FOUND: 404,
  NO_CHART: 404,
  ALREADY_EXISTS: 409,
  BAD_TRANSITION: 409,
  EVENT_PUBLISHED: 409,
  VENUE_HAS_NO_CHART: 409,
  INVALID_CHART: 400,
  NO_PRICE_TIERS: 400,
  UNKNOWN_PERFORMER: 400,
  UNKNOWN_PRICE_CATEGORY: 400,
  UNKNOWN_VENUE: 400,
  EVENT_UNAVAILABLE: 503,
  SEARCH_TIMEOUT: 503,

  // Accounts.
  INVALID_CREDENTIALS: 401,
  INVALID_EMAIL: 400,
  INVALID_PASSWORD: 400,
  INVALID_ROLE: 400,
  EMAIL_TAKEN: 409,
  USER_NOT_FOUND: 404,

  // Waiting room.
  INVALID_RATE: 400,
  QUEUE_TOKEN_REQUIRED: 400,
  INVALID_QUEUE_TOKEN: 403,
  NOT_IN_QUEUE: 404,
  EVENT_NOT_PUBLISHED: 409,
  WAITING_ROOM_OFF: 409,
  WAITING_ROOM_BROKEN: 500,
};

/** The status of a code; an unknown code is the server's mistake (500). */
export function statusOf(code: string): number {
  return HTTP_STATUS[code] ?? 500;
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}
