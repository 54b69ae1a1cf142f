import { AppError } from '../errors.ts';

// Catalog failures carry their HTTP status and a stable code; the router turns them into
// the one error shape {error: {code, message}}.

export class CatalogError extends AppError {}

export const notFound = (what: 'venue' | 'performer' | 'event', id: string) =>
  new CatalogError(`${what.toUpperCase()}_NOT_FOUND`, `no ${what} "${id.slice(0, 64)}"`);
