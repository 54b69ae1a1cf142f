// Typed rejection codes. A rejected command changes nothing.
export const ERROR_CODES = [
  'INVALID_COMMAND',
  'SALE_NOT_OPEN',
  'PRESALE_ONLY',
  'UNKNOWN_CATEGORY',
  'UNKNOWN_SEAT',
  'UNKNOWN_AREA',
  'DUPLICATE_SEAT',
  'SEAT_UNAVAILABLE',
  'NO_SEATS_AVAILABLE',
  'GA_SOLD_OUT',
  'LIMIT_PER_ORDER',
  'LIMIT_PER_FAN',
  'COMPANION_WITHOUT_ACCESSIBLE',
  'HOLD_EXISTS',
  'HOLD_NOT_FOUND',
  'NOT_HOLDER',
  'HOLD_EXPIRED',
  'HOLD_EXTEND_LIMIT',
  'ORDER_NOT_FOUND',
  'NOT_OWNER',
  'SEAT_NOT_IN_ORDER',
  'NOTHING_DUE',
  'SEAT_LISTED',
  'NOT_LISTED',
  // Not a rule of the domain: the actor could not make the command durable. Retry it with
  // the same idempotency key; it was either fully applied or not at all.
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DomainError {
  code: ErrorCode;
  message: string;
}

export function reject(code: ErrorCode, message: string): { ok: false; error: DomainError } {
  return { ok: false, error: { code, message } };
}

export function rejectWith(error: DomainError): { ok: false; error: DomainError } {
  return { ok: false, error };
}
