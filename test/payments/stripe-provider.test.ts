import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeApi } from '../../src/payments/open-provider.ts';
import { signStripePayload } from '../../src/payments/stripe-events.ts';
import { StripeProvider } from '../../src/payments/stripe-provider.ts';

// The Stripe adapter with the real stripe client, pointed (host, port, protocol) at a local
// node:http stand-in for api.stripe.com that answers payment intents and refunds with
// Stripe-shaped JSON, records every request and its Idempotency-Key, and, as Stripe does,
// answers a repeated key with the first object.

interface Seen {
  method: string;
  path: string;
  key: string | undefined;
  auth: string | undefined;
  form: URLSearchParams;
}

const WEBHOOK_SECRET = 'whsec_standin_secret';

describe('Stripe adapter against a stand-in API', () => {
  let api: Server;
  let provider: StripeProvider;
  const seen: Seen[] = [];
  const byKey = new Map<string, { status: number; body: unknown }>();
  /** The next answers to give instead of a success (status, Stripe error body). */
  let failures: { status: number; error: Record<string, unknown> }[] = [];
  let n = 0;

  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => resolve(body));
    });

  beforeAll(async () => {
    api = createServer(async (req, res) => {
      const form = new URLSearchParams(await read(req));
      const key = req.headers['idempotency-key'] as string | undefined;
      seen.push({ method: req.method!, path: req.url!, key, auth: req.headers.authorization, form });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++n}` });
        res.end(JSON.stringify(body));
      };
      const failure = failures.shift();
      if (failure) return send(failure.status, { error: failure.error });
      const known = key ? byKey.get(`${req.url} ${key}`) : undefined;
      if (known) return send(known.status, known.body);
      let answer: { status: number; body: unknown };
      if (req.method === 'POST' && req.url === '/v1/payment_intents') {
        const id = `pi_standin_${++n}`;
        answer = {
          status: 200,
          body: {
            id,
            object: 'payment_intent',
            amount: Number(form.get('amount')),
            currency: form.get('currency'),
            status: 'requires_payment_method',
            client_secret: `${id}_secret_abc`,
            metadata: { orderId: form.get('metadata[orderId]') },
            last_payment_error: null,
          },
        };
      } else if (req.method === 'GET' && req.url?.startsWith('/v1/payment_intents/pi_')) {
        const id = req.url.slice('/v1/payment_intents/'.length);
        answer = {
          status: 200,
          body: {
            id,
            object: 'payment_intent',
            amount: 4200,
            currency: 'eur',
            status: 'succeeded',
            client_secret: `${id}_secret_abc`,
            metadata: { orderId: 'ord_9' },
            last_payment_error: null,
          },
        };
      } else if (req.method === 'POST' && req.url === '/v1/refunds') {
        answer = {
          status: 200,
          body: {
            id: `re_standin_${++n}`,
            object: 'refund',
            amount: Number(form.get('amount')),
            payment_intent: form.get('payment_intent'),
            status: Number(form.get('amount')) > 10_000 ? 'pending' : 'succeeded',
          },
        };
      } else {
        answer = {
          status: 404,
          body: { error: { type: 'invalid_request_error', message: 'no such route' } },
        };
      }
      if (key) byKey.set(`${req.url} ${key}`, answer);
      send(answer.status, answer.body);
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const { port } = api.address() as AddressInfo;
    provider = new StripeProvider({
      secretKey: 'sk_test_standin',
      webhookSecret: WEBHOOK_SECRET,
      api: stripeApi(`http://127.0.0.1:${port}`),
      timeoutMs: 5000,
      maxNetworkRetries: 1,
    });
  });

  afterAll(async () => {
    await new Promise((r) => api.close(r));
  });

  beforeEach(() => {
    seen.length = 0;
    failures = [];
  });

  it('given a payment id, when the intent is retrieved (a webhook is overdue), then one GET /v1/payment_intents/:id, mapped back', async () => {
    const intent = await provider.retrieveIntent('pi_late_1');
    expect(intent).toEqual({
      id: 'pi_late_1',
      status: 'succeeded',
      clientSecret: 'pi_late_1_secret_abc',
      amount: 4200,
      currency: 'EUR',
    });
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/payment_intents/pi_late_1']);
  });

  it('given an intent request, then one POST /v1/payment_intents with the amount, lower-case currency, metadata.orderId and the idempotency key, mapped back', async () => {
    const intent = await provider.createIntent({
      orderId: 'ord_1',
      amount: 12_345,
      currency: 'EUR',
      idempotencyKey: 'checkout-ord_1',
      email: 'fan@example.com',
      description: 'Order ord_1',
    });
    expect(intent).toEqual({
      id: expect.stringMatching(/^pi_standin_/),
      status: 'requires_payment',
      clientSecret: `${intent.id}_secret_abc`,
      amount: 12_345,
      currency: 'EUR',
    });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/payment_intents', key: 'checkout-ord_1' });
    expect(req.auth).toBe('Bearer sk_test_standin');
    expect(Object.fromEntries(req.form)).toMatchObject({
      amount: '12345',
      currency: 'eur',
      'metadata[orderId]': 'ord_1',
      receipt_email: 'fan@example.com',
      description: 'Order ord_1',
    });
  });

  it('given the same idempotency key twice, then the same intent comes back (Stripe answers the first object)', async () => {
    const r = { orderId: 'ord_2', amount: 500, currency: 'USD', idempotencyKey: 'checkout-ord_2' };
    const a = await provider.createIntent(r);
    const b = await provider.createIntent(r);
    expect(b).toEqual(a);
    expect(seen.map((s) => s.key)).toEqual(['checkout-ord_2', 'checkout-ord_2']);
  });

  it('given a refund, then POST /v1/refunds with payment_intent, amount and the key; succeeded or pending as Stripe says', async () => {
    const done = await provider.refund({
      paymentId: 'pi_x',
      amount: 700,
      idempotencyKey: 'refund-1',
      reason: 'fan asked',
    });
    expect(done).toEqual({ id: expect.stringMatching(/^re_standin_/), status: 'succeeded' });
    expect(seen[0]).toMatchObject({ path: '/v1/refunds', key: 'refund-1' });
    expect(Object.fromEntries(seen[0].form)).toMatchObject({
      payment_intent: 'pi_x',
      amount: '700',
      'metadata[reason]': 'fan asked',
    });
    expect(await provider.refund({ paymentId: 'pi_x', amount: 700, idempotencyKey: 'refund-1' })).toEqual(
      done,
    );
    const pending = await provider.refund({ paymentId: 'pi_x', amount: 20_000, idempotencyKey: 'refund-2' });
    expect(pending.status).toBe('pending');
  });

  it('given Stripe errors, then PaymentErrors: card → PAYMENT_DECLINED, missing → PAYMENT_NOT_FOUND, too large → REFUND_TOO_LARGE, other → PAYMENT_REJECTED, 5xx → PAYMENT_PROVIDER_ERROR after a retry with the same key', async () => {
    const cases: [number, Record<string, unknown>, string][] = [
      [
        402,
        {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'no funds',
        },
        'PAYMENT_DECLINED',
      ],
      [
        404,
        { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' },
        'PAYMENT_NOT_FOUND',
      ],
      [
        400,
        { type: 'invalid_request_error', code: 'amount_too_large', message: 'too much' },
        'REFUND_TOO_LARGE',
      ],
      [
        400,
        { type: 'invalid_request_error', code: 'parameter_invalid_integer', message: 'bad amount' },
        'PAYMENT_REJECTED',
      ],
    ];
    for (const [status, error, code] of cases) {
      failures = [{ status, error }];
      await expect(
        provider.refund({ paymentId: 'pi_y', amount: 1, idempotencyKey: `k-${code}` }),
      ).rejects.toMatchObject({ code });
    }
    seen.length = 0;
    failures = [
      { status: 500, error: { type: 'api_error', message: 'down' } },
      { status: 500, error: { type: 'api_error', message: 'still down' } },
    ];
    await expect(
      provider.createIntent({
        orderId: 'ord_3',
        amount: 1,
        currency: 'EUR',
        idempotencyKey: 'checkout-ord_3',
      }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
    expect(seen.map((s) => s.key)).toEqual(['checkout-ord_3', 'checkout-ord_3']);
  });

  it('given a nothing listening at the API address, then PAYMENT_PROVIDER_ERROR (a failure for the breaker)', async () => {
    const down = new StripeProvider({
      secretKey: 'sk_test_standin',
      webhookSecret: WEBHOOK_SECRET,
      api: { host: '127.0.0.1', port: 1, protocol: 'http' },
      timeoutMs: 1000,
      maxNetworkRetries: 0,
    });
    await expect(
      down.createIntent({ orderId: 'o', amount: 1, currency: 'EUR', idempotencyKey: 'k' }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
  });

  it('given webhooks signed with the endpoint secret, then they verify and map; another secret is INVALID_SIGNATURE', () => {
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'payment_intent.payment_failed',
      created: 1_700_000_000,
      data: {
        object: {
          id: 'pi_9',
          object: 'payment_intent',
          amount: 900,
          currency: 'gbp',
          metadata: { orderId: 'ord_9' },
          last_payment_error: {
            code: 'card_declined',
            decline_code: 'insufficient_funds',
            message: 'no funds',
          },
        },
      },
    });
    const raw = Buffer.from(payload);
    expect(provider.verifyWebhook(raw, signStripePayload(payload, WEBHOOK_SECRET))).toEqual({
      id: 'evt_1',
      provider: 'stripe',
      type: 'payment_failed',
      paymentId: 'pi_9',
      orderId: 'ord_9',
      refundId: null,
      amount: 900,
      currency: 'GBP',
      error: { code: 'insufficient_funds', message: 'no funds' },
      created: 1_700_000_000,
    });
    expect(() => provider.verifyWebhook(raw, signStripePayload(payload, 'whsec_other'))).toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });
});
