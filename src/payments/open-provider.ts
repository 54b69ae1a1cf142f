import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../persistence/db.ts';
import { type BreakerObserver, DEFAULT_BREAKER, GuardedProvider, PaymentBreaker } from './breaker.ts';
import type { PaymentProvider } from './provider.ts';
import { SimulatedProvider } from './simulated-provider.ts';
import { StripeProvider, type StripeSettings } from './stripe-provider.ts';
import type { OutboxSettings } from './webhook-outbox.ts';

// Builds the payment provider the configuration asks for: Stripe when its secret key and
// webhook secret are set, else the simulator in the server itself (so `npm start` can sell
// with no account anywhere). Either way behind the circuit breaker.

export type PaymentsConfig = Pick<
  Config,
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_WEBHOOK_SECRET'
  | 'STRIPE_API_BASE'
  | 'ONSALE_PAYMENT_TIMEOUT_MS'
  | 'ONSALE_PAYMENT_RESET_MS'
  | 'ONSALE_SIMULATED_WEBHOOK_SECRET'
>;

export interface Payments {
  /** The provider, its calls behind the breaker: what the orders capability calls. */
  provider: PaymentProvider;
  breaker: PaymentBreaker;
  /** The simulator when it is the provider (its confirm route and webhook URL), else null. */
  simulated: SimulatedProvider | null;
  close(): Promise<void>;
}

/** STRIPE_API_BASE (`http://127.0.0.1:12111`) as the Stripe client's host, port and protocol. */
export function stripeApi(base: string): NonNullable<StripeSettings['api']> {
  const u = new URL(base);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443, protocol };
}

export async function openPayments(
  db: Db,
  config: PaymentsConfig,
  deps: { log: Logger; observer?: BreakerObserver; outbox?: OutboxSettings },
): Promise<Payments> {
  const breaker = new PaymentBreaker(
    {
      ...DEFAULT_BREAKER,
      timeoutMs: config.ONSALE_PAYMENT_TIMEOUT_MS,
      resetTimeoutMs: config.ONSALE_PAYMENT_RESET_MS,
    },
    deps.observer,
  );
  let inner: PaymentProvider;
  let simulated: SimulatedProvider | null = null;
  if (config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET) {
    inner = new StripeProvider({
      secretKey: config.STRIPE_SECRET_KEY,
      webhookSecret: config.STRIPE_WEBHOOK_SECRET,
      api: config.STRIPE_API_BASE ? stripeApi(config.STRIPE_API_BASE) : undefined,
      timeoutMs: config.ONSALE_PAYMENT_TIMEOUT_MS,
      maxNetworkRetries: 1,
    });
  } else {
    simulated = await SimulatedProvider.open(db, {
      secret: config.ONSALE_SIMULATED_WEBHOOK_SECRET,
      log: deps.log,
      outbox: deps.outbox,
    });
    inner = simulated;
  }
  deps.log.info({ provider: inner.name }, 'payments ready');
  return {
    provider: new GuardedProvider(inner, breaker),
    breaker,
    simulated,
    async close() {
      await simulated?.close();
      breaker.close();
    },
  };
}

/** The server's own webhook route, for the simulator: a wildcard bind address is reached on loopback. */
export function ownWebhookUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/api/payments/webhook`;
}
