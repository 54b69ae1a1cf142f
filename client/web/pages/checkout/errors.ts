import { ApiError } from '../../../sdk/index.ts';
import { errorMessage } from '../../lib/api.ts';

const UNREACHABLE = 'The server could not be reached. Try again: you will not be charged twice.';

/** A checkout failure in the fan's words, with what to do next. */
export function checkoutError(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'NO_HOLDS':
        return 'Your hold on these seats has ended. Choose the seats again on the event page.';
      case 'CODE_USED_UP':
        return 'That promo code has been used up.';
      case 'CODE_NOT_VALID_NOW':
        return 'That promo code is not valid at the moment.';
      case 'LISTING_UNAVAILABLE':
        return 'This resale ticket is no longer available: it was sold, withdrawn, or another fan is paying for it.';
      case 'RESALE_CLOSED':
        return 'Resale for this event has closed.';
      case 'CLOSED':
      case 'HTTP_ERROR':
        return UNREACHABLE;
    }
    return e.message;
  }
  if (e instanceof TypeError) return UNREACHABLE;
  return errorMessage(e);
}
