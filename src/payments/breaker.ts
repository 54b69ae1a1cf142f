import CircuitBreaker from 'opossum';
import { PaymentError, TRANSIENT_CODES, timedOut, unavailable } from './errors.ts';
import type {
  IntentRequest,
  PaymentEvent,
  PaymentIntent,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from './provider.ts';

// A circuit breaker (opossum) around every call out to the payment provider. When the
// provider keeps failing or timing out, checkouts fail fast with PAYMENTS_UNAVAILABLE (503,
// Retry-After) instead of each holding a fan's request (and seats) for the full timeout;
// after resetTimeout one call is let through as a probe (half-open): it closes the circuit if
// it succeeds, opens it again if not. A decline or a refused request is a healthy provider
// answering: only transient errors (TRANSIENT_CODES), timeouts and unexpected throws count.

export type BreakerState = 'closed' | 'open' | 'half_open';
export type ProviderCall = 'createIntent' | 'refund' | 'confirm' | 'retrieve';
/** How a call ended: ok (declines included), refused (a healthy no), failed, timeout, or short-circuited. */
export type CallResult = 'ok' | 'refused' | 'failed' | 'timeout' | 'open';

export interface BreakerSettings {
  /** A call slower than this fails (PAYMENT_TIMEOUT) and counts as a failure. */
  timeoutMs: number;
  /** How long the circuit stays open before a probe. */
  resetTimeoutMs: number;
  /** Opens when more than this share of the window's calls failed… */
  errorThresholdPercentage: number;
  /** …and the window holds at least this many calls. */
  volumeThreshold: number;
  /** The rolling window. */
  rollingWindowMs: number;
}

export const DEFAULT_BREAKER: Omit<BreakerSettings, 'timeoutMs' | 'resetTimeoutMs'> = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingWindowMs: 10_000,
};

export interface BreakerObserver {
  call(call: ProviderCall, result: CallResult): void;
  state(state: BreakerState): void;
}

/** Does this error say the provider is unwell (a failure for the breaker)? */
export function isFailure(e: unknown): boolean {
  return !(e instanceof PaymentError) || TRANSIENT_CODES.has(e.code);
}

export class PaymentBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private openedAt = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly observer?: BreakerObserver,
  ) {
    // The action runs the thunk it is fired with: one breaker (one view of the provider's
    // health) for every kind of call.
    this.breaker = new CircuitBreaker((run: () => Promise<unknown>) => run(), {
      timeout: settings.timeoutMs,
      resetTimeout: settings.resetTimeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: 10,
      // true: not a failure (the error still reaches the caller).
      errorFilter: (e: unknown) => !isFailure(e),
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      observer?.state('open');
    });
    this.breaker.on('halfOpen', () => observer?.state('half_open'));
    this.breaker.on('close', () => observer?.state('closed'));
    observer?.state('closed');
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /** Runs one provider call through the circuit; its errors come back as PaymentErrors. */
  async call<T>(call: ProviderCall, run: () => Promise<T>): Promise<T> {
    try {
      const out = (await this.breaker.fire(run)) as T;
      this.observer?.call(call, 'ok');
      return out;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (!(e instanceof PaymentError) && code === 'EOPENBREAKER') {
        this.observer?.call(call, 'open');
        throw unavailable(this.retryAfterSeconds());
      }
      if (!(e instanceof PaymentError) && code === 'ETIMEDOUT') {
        this.observer?.call(call, 'timeout');
        throw timedOut(this.settings.timeoutMs);
      }
      this.observer?.call(call, isFailure(e) ? 'failed' : 'refused');
      throw e;
    }
  }

  /** Until the next probe (while half-open, one is under way: a second or so). */
  private retryAfterSeconds(): number {
    const left = this.openedAt + this.settings.resetTimeoutMs - Date.now();
    return Math.max(1, Math.ceil(left / 1000));
  }

  close(): void {
    this.breaker.shutdown();
  }
}

/** A provider whose calls out go through the breaker; verifying a webhook is local work and does not. */
export class GuardedProvider implements PaymentProvider {
  constructor(
    private readonly inner: PaymentProvider,
    readonly breaker: PaymentBreaker,
  ) {}

  get name(): PaymentProvider['name'] {
    return this.inner.name;
  }

  createIntent(r: IntentRequest): Promise<PaymentIntent> {
    return this.breaker.call('createIntent', () => this.inner.createIntent(r));
  }

  refund(r: RefundRequest): Promise<RefundResult> {
    return this.breaker.call('refund', () => this.inner.refund(r));
  }

  retrieveIntent(paymentId: string): Promise<PaymentIntent> {
    return this.breaker.call('retrieve', () => this.inner.retrieveIntent(paymentId));
  }

  verifyWebhook(raw: Buffer, signature: string | undefined): PaymentEvent {
    return this.inner.verifyWebhook(raw, signature);
  }
}
