import { z } from 'zod';
import type { Router } from '../gateway/router.ts';
import type { PaymentBreaker } from './breaker.ts';
import { webhookFailed } from './errors.ts';
import type { PaymentEventSink, PaymentProvider } from './provider.ts';
import type { SimulatedProvider } from './simulated-provider.ts';

// Payments over HTTP.
// - POST /api/payments/webhook: the provider's webhooks. The signature covers the exact bytes,
//   so the route takes the raw body; a forged or missing signature is 400 and changes nothing.
//   A verified event goes to the sink (the orders), which dedupes and applies it; if it
//   throws, 500, so the provider delivers again. Events the orders do not act on are
//   acknowledged and dropped.
// - POST /api/payments/simulated/:paymentId/confirm: the fan pays a simulated payment with a
//   test card (only while the simulator is the provider). Answered after the first delivery
//   attempt of its webhook, so the order has moved when the fan sees the answer.

export interface PaymentsRouteDeps {
  provider: PaymentProvider;
  breaker: PaymentBreaker;
  simulated: SimulatedProvider | null;
  sink: PaymentEventSink;
}

const confirmBody = z
  .object({ card: z.string().regex(/^[0-9]{12,19}$/, 'a card number is 12 to 19 digits') })
  .strict();
const NO_STORE = { 'cache-control': 'no-store' };

export function paymentsRoutes(router: Router, deps: PaymentsRouteDeps): void {
  router.post('/api/payments/webhook', { raw: true, maxBody: 256 * 1024 }, async (ctx) => {
    const event = deps.provider.verifyWebhook(
      ctx.rawBody ?? Buffer.alloc(0),
      ctx.headers['stripe-signature'],
    );
    if (event.type !== 'ignored') {
      try {
        await deps.sink.paymentEvent(event);
      } catch (e) {
        ctx.log.error({ err: e, event: event.id, type: event.type }, 'payment event not applied');
        throw webhookFailed();
      }
    }
    return { body: { received: true } };
  });

  const sim = deps.simulated;
  if (!sim) return;
  router.post(
    '/api/payments/simulated/:paymentId/confirm',
    { auth: 'user', write: true, body: confirmBody },
    async (ctx) => {
      const out = await deps.breaker.call('confirm', () => sim.confirm(ctx.params.paymentId, ctx.body.card));
      // Delivered or not, the payment happened: a failed delivery is retried in the background.
      await sim.deliver(out.webhookId);
      return { headers: NO_STORE, body: { paymentId: out.paymentId, status: out.status, error: out.error } };
    },
  );
}
