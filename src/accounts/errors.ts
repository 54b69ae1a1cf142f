import { HttpError } from '../gateway/router.ts';

/** An account operation refused; routes pass it straight through as {error: {code, message}}. */
export class AccountError extends HttpError {}

export const INVALID_CREDENTIALS = 'INVALID_CREDENTIALS';
