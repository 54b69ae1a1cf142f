// One Idempotency-Key per checkout attempt: the same request (event, holds or listing, code, email)
// keeps its key, in this tab, across retries and reloads, so a retry after a lost answer gets
// the same order and payment instead of a second one; a changed request is a new attempt.
import type { CheckoutRequest } from '../../../sdk/checkout.ts';

const KEY = 'onsale.checkout.attempts';

/** The request in a canonical form (holds sorted, empty fields dropped). */
export function attemptId(body: CheckoutRequest): string {
  return JSON.stringify({
    eventId: body.eventId,
    holdIds: body.holdIds ? [...body.holdIds].sort() : undefined,
    listingId: body.listingId,
    code: body.code?.trim().toUpperCase() || undefined,
    email: body.email?.trim().toLowerCase() || undefined,
  });
}

function read(store: Storage): Record<string, string> {
  try {
    return JSON.parse(store.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

/** The key for this request: the one used before, or a new one (kept). */
export function attemptKey(
  body: CheckoutRequest,
  store: Storage = sessionStorage,
  make: () => string = () => crypto.randomUUID(),
): string {
  const all = read(store);
  const id = attemptId(body);
  let key = all[id];
  if (!key) {
    key = make();
    all[id] = key;
    try {
      store.setItem(KEY, JSON.stringify(all));
    } catch {} // without storage the key still holds for this page's retries
  }
  return key;
}
