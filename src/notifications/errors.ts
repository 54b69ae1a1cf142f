import { AppError } from '../errors.ts';

/** A mail refused before it was written: a bad address, an empty or oversized field. */
export class MailError extends AppError {}

export const INVALID_MAIL = 'INVALID_MAIL';
