import { AppError } from '../errors.ts';

/** An account operation refused. */
export class AccountError extends AppError {}

export const INVALID_CREDENTIALS = 'INVALID_CREDENTIALS';
