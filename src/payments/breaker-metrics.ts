import type { Metrics } from '../gateway/metrics.ts';
import type { BreakerObserver, BreakerState } from './breaker.ts';

// The breaker's calls and state as Prometheus metrics (onsale_payment_calls_total,
// onsale_payments_circuit_state): 0 closed, 1 half-open, 2 open, so "> 0" alerts on trouble.

const GAUGE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export function observeBreaker(metrics: Pick<Metrics, 'paymentCalls' | 'paymentsCircuit'>): BreakerObserver {
  return {
    call: (call, result) => metrics.paymentCalls.inc({ call, result }),
    state: (state) => metrics.paymentsCircuit.set(GAUGE[state]),
  };
}
