import { AppError } from '../errors.ts';

// Orders' refusals. Codes, not HTTP: the gateway's table gives each its status.

export class OrderError extends AppError {}

export const orderNotFound = (id: string): OrderError =>
  new OrderError('ORDER_NOT_FOUND', `no order "${id.slice(0, 64)}"`);

export const keyRequired = (): OrderError =>
  new OrderError(
    'IDEMPOTENCY_KEY_REQUIRED',
    'send an Idempotency-Key header: a retry with it never charges twice',
  );

export const keyReused = (): OrderError =>
  new OrderError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was used for another request body; use a new key for a new checkout',
  );
