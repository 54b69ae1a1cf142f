import { AppError } from '../errors.ts';

// What payments refuse, as codes the gateway's table turns into statuses. `transient`
// codes mean the provider did not answer properly (it may be down): they count as failures
// for the circuit breaker. Every other code is a healthy provider saying no.

export class PaymentError extends AppError {}

/** Codes that say the provider is unwell; a retry later may succeed. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set(['PAYMENT_TIMEOUT', 'PAYMENT_PROVIDER_ERROR']);

export const invalidSignature = (why: string): PaymentError =>
  new PaymentError('INVALID_SIGNATURE', `the webhook signature does not verify: ${why}`);

export const paymentNotFound = (id: string): PaymentError =>
  new PaymentError('PAYMENT_NOT_FOUND', `no payment "${id.slice(0, 64)}"`);

export const paymentSettled = (id: string, status: string): PaymentError =>
  new PaymentError('PAYMENT_SETTLED', `payment "${id.slice(0, 64)}" is already ${status}`);

export const notCaptured = (id: string): PaymentError =>
  new PaymentError(
    'PAYMENT_NOT_CAPTURED',
    `payment "${id.slice(0, 64)}" has not been paid: nothing to refund`,
  );

/** `left`: what may still be refunded, when known. */
export const refundTooLarge = (left: number | null): PaymentError =>
  new PaymentError(
    'REFUND_TOO_LARGE',
    left === null
      ? 'the refund is larger than what is left to refund'
      : `the refund is larger than what is left to refund (${left})`,
    left === null ? {} : { details: { refundable: left } },
  );

export const keyReused = (): PaymentError =>
  new PaymentError('PAYMENT_KEY_REUSED', 'this idempotency key was used for a different request');

export const declined = (code: string, message: string): PaymentError =>
  new PaymentError('PAYMENT_DECLINED', message, { details: { decline: code } });

export const rejected = (message: string): PaymentError =>
  new PaymentError('PAYMENT_REJECTED', `the payment provider refused the request: ${message}`);

export const providerError = (message: string): PaymentError =>
  new PaymentError('PAYMENT_PROVIDER_ERROR', `the payment provider failed: ${message}`, {
    retryAfterSeconds: 5,
  });

export const timedOut = (ms: number): PaymentError =>
  new PaymentError('PAYMENT_TIMEOUT', `the payment provider did not answer within ${ms} ms`, {
    retryAfterSeconds: 5,
  });

export const unavailable = (retryAfterSeconds: number): PaymentError =>
  new PaymentError(
    'PAYMENTS_UNAVAILABLE',
    'payments are unavailable for now (the provider keeps failing); try again',
    {
      retryAfterSeconds,
    },
  );

/** The sink could not apply a verified webhook: 500, so the provider delivers it again. */
export const webhookFailed = (): PaymentError =>
  new PaymentError('WEBHOOK_FAILED', 'the webhook could not be applied; deliver it again');
