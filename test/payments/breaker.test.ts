import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/gateway/metrics.ts';
import {
  type BreakerState,
  type CallResult,
  GuardedProvider,
  PaymentBreaker,
} from '../../src/payments/breaker.ts';
import { observeBreaker } from '../../src/payments/breaker-metrics.ts';
import { declined, providerError } from '../../src/payments/errors.ts';
import type {
  IntentRequest,
  PaymentIntent,
  PaymentProvider,
  RefundResult,
} from '../../src/payments/provider.ts';

// The circuit breaker with opossum's real timers, short settings, around a provider stand-in
// that succeeds, declines, fails or never answers on demand.

type Mode = 'ok' | 'decline' | 'fail' | 'hang';

class StandIn implements PaymentProvider {
  readonly name = 'simulated' as const;
  mode: Mode = 'ok';
  calls = 0;

  async createIntent(r: IntentRequest): Promise<PaymentIntent> {
    this.calls++;
    if (this.mode === 'hang') return new Promise<never>(() => {});
    if (this.mode === 'fail') throw providerError('down');
    if (this.mode === 'decline') throw declined('card_declined', 'declined');
    return {
      id: `pi_${this.calls}`,
      status: 'requires_payment',
      clientSecret: null,
      amount: r.amount,
      currency: r.currency,
    };
  }

  async refund(): Promise<RefundResult> {
    this.calls++;
    if (this.mode === 'fail') throw new Error('socket hang up');
    return { id: 're_1', status: 'succeeded' };
  }

  retrieveIntent(): never {
    throw new Error('not used');
  }

  verifyWebhook(): never {
    throw new Error('not used');
  }
}

const SETTINGS = {
  timeoutMs: 60,
  resetTimeoutMs: 250,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingWindowMs: 10_000,
};
const REQ: IntentRequest = { orderId: 'o', amount: 100, currency: 'EUR', idempotencyKey: 'k' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const states: BreakerState[] = [];
  const calls: [string, CallResult][] = [];
  const breaker = new PaymentBreaker(SETTINGS, {
    state: (s) => states.push(s),
    call: (c, r) => calls.push([c, r]),
  });
  const inner = new StandIn();
  const provider = new GuardedProvider(inner, breaker);
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  return { breaker, inner, provider, states, calls, codeOf };
}

describe('payment circuit breaker', () => {
  it('given declines, however many, then the circuit stays closed (a declined card is a healthy provider)', async () => {
    const { breaker, inner, provider, codeOf, calls } = setup();
    inner.mode = 'decline';
    for (let i = 0; i < 12; i++) expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENT_DECLINED');
    expect(breaker.state()).toBe('closed');
    expect(calls.every(([, r]) => r === 'refused')).toBe(true);
    breaker.close();
  });

  it('given repeated failures, then it opens, fails fast without calling the provider, half-opens after resetTimeout, a failed probe opens it again, a good probe closes it', async () => {
    const { breaker, inner, provider, codeOf, states } = setup();
    inner.mode = 'fail';
    for (let i = 0; i < 4; i++) {
      expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENT_PROVIDER_ERROR');
      expect(breaker.state()).toBe('closed');
    }
    // An unexpected throw (not a PaymentError) counts as a failure too.
    await expect(provider.refund({ paymentId: 'p', amount: 1, idempotencyKey: 'r' })).rejects.toThrow(
      'socket hang up',
    );
    expect(breaker.state()).toBe('open');

    const before = inner.calls;
    const started = performance.now();
    const refused = provider.createIntent(REQ).catch((e) => e);
    const e = await refused;
    expect(performance.now() - started).toBeLessThan(20);
    expect(e).toMatchObject({ code: 'PAYMENTS_UNAVAILABLE', extra: { retryAfterSeconds: 1 } });
    expect(inner.calls).toBe(before);

    await sleep(SETTINGS.resetTimeoutMs + 50);
    expect(breaker.state()).toBe('half_open');
    expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENT_PROVIDER_ERROR');
    expect(breaker.state()).toBe('open');
    expect(inner.calls).toBe(before + 1);

    await sleep(SETTINGS.resetTimeoutMs + 50);
    expect(breaker.state()).toBe('half_open');
    inner.mode = 'ok';
    expect(await codeOf(provider.createIntent(REQ))).toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(await codeOf(provider.createIntent(REQ))).toBe('ok');
    expect(states).toEqual(['closed', 'open', 'half_open', 'open', 'half_open', 'closed']);
    breaker.close();
  });

  it('given calls that never answer, then each is PAYMENT_TIMEOUT after the timeout and they open the circuit', async () => {
    const { breaker, inner, provider, codeOf, calls } = setup();
    inner.mode = 'hang';
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENT_TIMEOUT');
      expect(performance.now() - started).toBeGreaterThanOrEqual(SETTINGS.timeoutMs - 5);
    }
    expect(breaker.state()).toBe('open');
    expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENTS_UNAVAILABLE');
    expect(calls.map(([, r]) => r)).toEqual(['timeout', 'timeout', 'timeout', 'timeout', 'timeout', 'open']);
    breaker.close();
  });

  it('given a half-open probe that is refused (a decline), then the circuit closes: the provider answered', async () => {
    const { breaker, inner, provider, codeOf } = setup();
    inner.mode = 'fail';
    for (let i = 0; i < 5; i++) await codeOf(provider.createIntent(REQ));
    expect(breaker.state()).toBe('open');
    await sleep(SETTINGS.resetTimeoutMs + 50);
    inner.mode = 'decline';
    expect(await codeOf(provider.createIntent(REQ))).toBe('PAYMENT_DECLINED');
    expect(breaker.state()).toBe('closed');
    breaker.close();
  });

  it('given the Prometheus observer, then the gauge says 0 closed, 2 open, 1 half-open and calls are counted by call and result', async () => {
    const metrics = createMetrics();
    const breaker = new PaymentBreaker(SETTINGS, observeBreaker(metrics));
    const inner = new StandIn();
    const provider = new GuardedProvider(inner, breaker);
    const gauge = async () => (await metrics.paymentsCircuit.get()).values[0]?.value;
    expect(await gauge()).toBe(0);
    await provider.createIntent(REQ);
    inner.mode = 'fail';
    for (let i = 0; i < 5; i++) await provider.createIntent(REQ).catch(() => {});
    expect(await gauge()).toBe(2);
    await sleep(SETTINGS.resetTimeoutMs + 50);
    expect(await gauge()).toBe(1);
    const text = await metrics.registry.getSingleMetricAsString('onsale_payment_calls_total');
    expect(text).toContain('onsale_payment_calls_total{call="createIntent",result="ok"} 1');
    // The window held 1 success and 4 failures (80 %) at the fourth: the fifth was refused unsent.
    expect(text).toContain('onsale_payment_calls_total{call="createIntent",result="failed"} 4');
    expect(text).toContain('onsale_payment_calls_total{call="createIntent",result="open"} 1');
    breaker.close();
  });
});
