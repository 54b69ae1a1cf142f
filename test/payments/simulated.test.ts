import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../../src/payments/stripe-events.ts';
import { request } from '../support/http.ts';
import { type Adapter, type PaymentsServer, pgUp, startPaymentsServer, until } from './support.ts';

// The simulated provider through the real server, on both database adapters: an intent is
// created (as checkout will), the fan confirms it with each test card over HTTP, and its
// webhook travels over real HTTP to the server's webhook route, is verified, and reaches the
// sink, which applies it once however often it is delivered. Then refunds, forged webhooks,
// a restart with a webhook still owed, and the breaker opening on a provider that hangs.

const TIMEOUT_MS = 300;
const adapters: { name: Adapter; skip: boolean }[] = [
  { name: 'PGlite', skip: false },
  { name: 'Postgres', skip: !pgUp },
];

for (const { name, skip } of adapters) {
  describe.skipIf(skip)(`simulated payments on ${name}`, () => {
    let t: PaymentsServer;
    let fan: string;
    const call = (method: string, path: string, opts: Parameters<typeof request>[3] = {}) =>
      request(t.url, method, path, opts);
    const intent = (amount = 4200, orderId = `ord_${randomUUID()}`) =>
      t.server.payments.provider.createIntent({
        orderId,
        amount,
        currency: 'EUR',
        idempotencyKey: `checkout-${orderId}`,
      });
    const confirm = (paymentId: string, card: string, token: string | null = fan) =>
      call('POST', `/api/payments/simulated/${encodeURIComponent(paymentId)}/confirm`, {
        token: token ?? undefined,
        json: { card },
      });

    beforeAll(async () => {
      t = await startPaymentsServer(name, { ONSALE_PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS) });
      const r = await call('POST', '/api/accounts/register', {
        json: { email: `pay-fan-${name.toLowerCase()}@example.com`, password: 'fan-password-1' },
      });
      expect(r.status).toBe(201);
      fan = r.body.token;
    });

    afterAll(async () => {
      await t?.stop();
    });

    it('given an intent, then it awaits payment, in upper-case currency, and the same key gives the same intent', async () => {
      const orderId = `ord_${randomUUID()}`;
      const a = await intent(4200, orderId);
      expect(a).toMatchObject({ status: 'requires_payment', amount: 4200, currency: 'EUR' });
      expect(a.id).toMatch(/^pi_sim_/);
      expect(a.clientSecret).toMatch(new RegExp(`^${a.id}_secret_`));
      const again = await intent(4200, orderId);
      expect(again.id).toBe(a.id);
      await expect(intent(999, orderId)).rejects.toMatchObject({ code: 'PAYMENT_KEY_REUSED' });
      expect(t.server.payments.provider.name).toBe('simulated');
    });

    it('given the succeeding card, then 200 succeeded, and the sink has its payment_succeeded webhook when the confirm returns', async () => {
      const orderId = `ord_${randomUUID()}`;
      const p = await intent(4200, orderId);
      const r = await confirm(p.id, '4242424242424242');
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({ paymentId: p.id, status: 'succeeded', error: null });
      expect(t.sink.about(p.id)).toEqual([
        {
          id: expect.stringMatching(/^evt_sim_/),
          provider: 'simulated',
          type: 'payment_succeeded',
          paymentId: p.id,
          orderId,
          refundId: null,
          amount: 4200,
          currency: 'EUR',
          error: null,
          created: expect.any(Number),
        },
      ]);
    });

    it('given the same webhook delivered twice, then the sink applies it once', async () => {
      const p = await intent();
      await confirm(p.id, '4242424242424242');
      const [event] = t.sink.about(p.id);
      const before = t.sink.received.filter((e) => e.id === event.id).length;
      expect(await t.server.payments.simulated!.deliver(event.id)).toBe(true);
      expect(t.sink.received.filter((e) => e.id === event.id).length).toBe(before + 1);
      expect(t.sink.about(p.id)).toHaveLength(1);
    });

    it('given a second confirm of a paid intent, then 409 PAYMENT_SETTLED and no new webhook', async () => {
      const p = await intent();
      expect((await confirm(p.id, '4242424242424242')).status).toBe(200);
      const r = await confirm(p.id, '4242424242424242');
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('PAYMENT_SETTLED');
      expect(t.sink.about(p.id)).toHaveLength(1);
    });

    it('given the declined and the insufficient-funds cards, then 200 failed with the decline code, a payment_failed webhook, and a retry with a good card pays', async () => {
      for (const [card, code] of [
        ['4000000000000002', 'card_declined'],
        ['4000000000009995', 'insufficient_funds'],
      ]) {
        const p = await intent(1500);
        const r = await confirm(p.id, card);
        expect(r.status, r.text).toBe(200);
        expect(r.body).toEqual({
          paymentId: p.id,
          status: 'failed',
          error: { code, message: expect.any(String) },
        });
        const events = t.sink.about(p.id);
        expect(events.map((e) => [e.type, e.error?.code, e.amount])).toEqual([
          ['payment_failed', code, 1500],
        ]);
        const retry = await confirm(p.id, '4242424242424242');
        expect(retry.body.status).toBe('succeeded');
        expect(t.sink.about(p.id).map((e) => e.type)).toEqual(['payment_failed', 'payment_succeeded']);
      }
    });

    it('given bad input, then 404 PAYMENT_NOT_FOUND, 400 INVALID_BODY for a malformed card, 401 signed out', async () => {
      const missing = await confirm('pi_sim_nosuchpayment', '4242424242424242');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('PAYMENT_NOT_FOUND');
      const p = await intent();
      for (const card of ['4242', '4242-4242-4242-4242', 'abcdabcdabcdabcd', '']) {
        const r = await confirm(p.id, card);
        expect(r.status, card).toBe(400);
        expect(r.body.error.code).toBe('INVALID_BODY');
      }
      const extra = await call('POST', `/api/payments/simulated/${p.id}/confirm`, {
        token: fan,
        json: { card: '4242424242424242', amount: 1 },
      });
      expect(extra.status).toBe(400);
      const anonymous = await confirm(p.id, '4242424242424242', null);
      expect(anonymous.status).toBe(401);
      // None of it touched the intent: it can still be paid.
      expect((await confirm(p.id, '4242424242424242')).body.status).toBe('succeeded');
    });

    it('given a forged, tampered or unsigned webhook, then 400 INVALID_SIGNATURE and the sink hears nothing', async () => {
      const before = t.sink.received.length;
      const payload = JSON.stringify({
        id: 'evt_forged_1',
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: { id: 'pi_sim_x', object: 'payment_intent', amount: 1, currency: 'eur', metadata: {} },
        },
      });
      const secret = t.server.payments.simulated!.webhookSecret;
      const cases: [string, Record<string, string>][] = [
        [payload, { 'stripe-signature': signStripePayload(payload, 'whsec_not_the_secret') }],
        [
          payload.replace('"amount":1', '"amount":2'),
          { 'stripe-signature': signStripePayload(payload, secret) },
        ],
        [
          payload,
          { 'stripe-signature': signStripePayload(payload, secret, Math.floor(Date.now() / 1000) - 3600) },
        ],
        [payload, {}],
      ];
      for (const [raw, headers] of cases) {
        const r = await call('POST', '/api/payments/webhook', { raw, headers });
        expect(r.status, r.text).toBe(400);
        expect(r.body.error.code).toBe('INVALID_SIGNATURE');
      }
      expect(t.sink.received.length).toBe(before);
      // The same payload, signed right, is accepted (so the 400s above were the signature's).
      const ok = await call('POST', '/api/payments/webhook', {
        raw: payload,
        headers: { 'stripe-signature': signStripePayload(payload, secret) },
      });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toEqual({ received: true });
      expect(t.sink.received.length).toBe(before + 1);
    });

    it('given a refund, then it succeeds once per key, owes a refund webhook, and never exceeds what was paid', async () => {
      const p = await intent(5000);
      await confirm(p.id, '4242424242424242');
      const provider = t.server.payments.provider;
      const r1 = await provider.refund({ paymentId: p.id, amount: 2000, idempotencyKey: `r1-${p.id}` });
      expect(r1).toEqual({ id: expect.stringMatching(/^re_sim_/), status: 'succeeded' });
      expect(await provider.refund({ paymentId: p.id, amount: 2000, idempotencyKey: `r1-${p.id}` })).toEqual(
        r1,
      );
      await expect(
        provider.refund({ paymentId: p.id, amount: 3001, idempotencyKey: `r2-${p.id}` }),
      ).rejects.toMatchObject({
        code: 'REFUND_TOO_LARGE',
        extra: { details: { refundable: 3000 } },
      });
      const r3 = await provider.refund({ paymentId: p.id, amount: 3000, idempotencyKey: `r3-${p.id}` });
      expect(r3.id).not.toBe(r1.id);
      await until(() => t.sink.about(p.id).filter((e) => e.type === 'refund_succeeded').length === 2);
      expect(
        t.sink
          .about(p.id)
          .filter((e) => e.type === 'refund_succeeded')
          .map((e) => [e.refundId, e.amount])
          .sort(),
      ).toEqual(
        [
          [r1.id, 2000],
          [r3.id, 3000],
        ].sort(),
      );
      const unpaid = await intent();
      await expect(
        provider.refund({ paymentId: unpaid.id, amount: 1, idempotencyKey: `r-${unpaid.id}` }),
      ).rejects.toMatchObject({
        code: 'PAYMENT_NOT_CAPTURED',
      });
      await expect(
        provider.refund({ paymentId: 'pi_sim_none', amount: 1, idempotencyKey: 'r-none' }),
      ).rejects.toMatchObject({
        code: 'PAYMENT_NOT_FOUND',
      });
    });

    it('given a sink that fails, then the webhook is answered 500 and delivered again in the background until applied', async () => {
      const p = await intent();
      t.sink.failNext = 1;
      const r = await confirm(p.id, '4242424242424242');
      expect(r.status).toBe(200);
      expect(t.sink.received.filter((e) => e.paymentId === p.id)).toHaveLength(1);
      expect(t.sink.about(p.id)).toHaveLength(0);
      await until(() => t.sink.about(p.id).length === 1, 10_000);
      expect(t.sink.received.filter((e) => e.paymentId === p.id)).toHaveLength(2);
    });

    it('given a restart with a webhook still owed, then the paid intent stays paid and the webhook arrives after the restart', async () => {
      const p = await intent();
      t.sink.failNext = 1;
      expect((await confirm(p.id, '4242424242424242')).status).toBe(200);
      t = await t.restart();
      await until(() => t.sink.about(p.id).length === 1, 10_000);
      const again = await confirm(p.id, '4242424242424242');
      expect(again.status).toBe(409);
      // A fresh sign-in is not needed: sessions are in the database too.
      expect(again.body.error.code).toBe('PAYMENT_SETTLED');
    });

    it('given /readyz, then it reports the provider and a closed circuit', async () => {
      const r = await call('GET', '/readyz');
      expect(r.body.payments).toEqual({ provider: 'simulated', circuit: 'closed' });
    });

    it('given the card that never answers, then 504 PAYMENT_TIMEOUT with nothing charged; a few more open the circuit: 503 PAYMENTS_UNAVAILABLE at once, readyz and metrics say open', async () => {
      const p = await intent();
      const started = performance.now();
      const r = await confirm(p.id, '4000000000000101');
      expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(r.status).toBe(504);
      expect(r.body.error.code).toBe('PAYMENT_TIMEOUT');
      expect(t.sink.about(p.id)).toHaveLength(0);
      // Opens once 5 calls are in the window and more than half failed (earlier calls count).
      let timeouts = 1;
      while (t.server.payments.breaker.state() !== 'open') {
        expect(timeouts, 'the circuit should be open by now').toBeLessThan(5);
        expect((await confirm(p.id, '4000000000000101')).status).toBe(504);
        timeouts++;
      }
      const fast = performance.now();
      const refused = await confirm(p.id, '4242424242424242');
      expect(performance.now() - fast).toBeLessThan(TIMEOUT_MS);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('PAYMENTS_UNAVAILABLE');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expect(intent()).rejects.toMatchObject({ code: 'PAYMENTS_UNAVAILABLE' });
      const ready = await call('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.payments).toEqual({ provider: 'simulated', circuit: 'open' });
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/^onsale_payments_circuit_state 2$/m);
      expect(metrics).toMatch(
        new RegExp(`^onsale_payment_calls_total\\{call="confirm",result="timeout"\\} ${timeouts}$`, 'm'),
      );
      expect(metrics).toMatch(/^onsale_payment_calls_total\{call="confirm",result="open"\} 1$/m);
    });
  });
}
