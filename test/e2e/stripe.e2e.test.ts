import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, createStaff, registerFan } from './support/accounts.ts';
import { axe } from './support/axe.ts';
import { launchBrowser, openContext, shot } from './support/browser.ts';
import { openEvent } from './support/catalog.ts';
import { type E2eServer, startE2eServer } from './support/server.ts';

// Checkout with payments through Stripe. Stripe's servers and js.stripe.com cannot be
// reached here, so both are stood in for at the edge: the server's real `stripe` client
// talks to a local HTTP stand-in of the API, and the page's script request for Stripe.js is
// answered (Playwright's routing) with a stand-in that mounts a card field and, on
// confirmCardPayment, tells the test the client secret it was given; the test then sends the
// real signed `payment_intent.succeeded` webhook (stripe.webhooks.generateTestHeaderString)
// and the order must end paid, as Stripe would make it.

const WEBHOOK_SECRET = 'whsec_e2e_standin';
const EVENT = 'stripe-night';

const STRIPE_JS_STANDIN = `
window.Stripe = function (pk) {
  window.__stripePk = pk;
  return {
    elements: function () {
      return { create: function () {
        return {
          mount: function (el) {
            var i = document.createElement('input');
            i.setAttribute('aria-label', 'Card number (Stripe)');
            el.appendChild(i);
          },
          destroy: function () {},
        };
      } };
    },
    confirmCardPayment: function (secret) {
      return fetch('https://stripe.standin.test/confirm', { method: 'POST', body: secret })
        .then(function (r) { return r.json(); });
    },
  };
};`;

describe('checkout through Stripe (Stripe.js card form)', () => {
  let api: Server;
  let server: E2eServer;
  let browser: Browser;
  let operator: Account;
  const intents = new Map<string, { amount: number; currency: string; orderId: string }>();

  beforeAll(async () => {
    let n = 0;
    api = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const send = (status: number, b: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++n}` });
          res.end(JSON.stringify(b));
        };
        const intent = (id: string, status: string) => {
          const i = intents.get(id)!;
          return {
            id,
            object: 'payment_intent',
            amount: i.amount,
            currency: i.currency,
            status,
            client_secret: `${id}_secret_e2e`,
            metadata: { orderId: i.orderId },
            last_payment_error: null,
          };
        };
        if (req.method === 'POST' && req.url === '/v1/payment_intents') {
          const id = `pi_e2e_${++n}`;
          intents.set(id, {
            amount: Number(form.get('amount')),
            currency: String(form.get('currency')),
            orderId: String(form.get('metadata[orderId]')),
          });
          return send(200, intent(id, 'requires_payment_method'));
        }
        if (req.method === 'GET' && req.url?.startsWith('/v1/payment_intents/')) {
          const id = req.url.slice('/v1/payment_intents/'.length);
          if (intents.has(id)) return send(200, intent(id, 'requires_payment_method'));
        }
        send(404, { error: { type: 'invalid_request_error', message: 'no such route' } });
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const { port } = api.address() as AddressInfo;
    server = await startE2eServer({
      STRIPE_SECRET_KEY: 'sk_test_e2e',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_e2e',
      STRIPE_API_BASE: `http://127.0.0.1:${port}`,
    });
    browser = await launchBrowser();
    operator = await createStaff(server.url, 'operator');
    await openEvent(operator.http, EVENT, { name: 'Stripe Night' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((r) => api?.close(() => r()));
  });

  it('given Stripe configured with a publishable key, then the checkout shows Stripe.js’s card form, confirms the order’s client secret, and the order is paid when Stripe’s webhook comes', async () => {
    const fan = await registerFan(server.url);
    await fan.http.hold({ eventId: EVENT, best: { count: 1 } });
    const { context, errors } = await openContext(browser, server.url, { session: fan });
    const confirmed: string[] = [];
    await context.route('https://js.stripe.com/v3/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: STRIPE_JS_STANDIN }),
    );
    await context.route('https://stripe.standin.test/confirm', async (route) => {
      const secret = route.request().postData() ?? '';
      confirmed.push(secret);
      // What Stripe does once the card is accepted: the signed webhook to the server.
      const id = secret.replace(/_secret_.*$/, '');
      const i = intents.get(id)!;
      const payload = JSON.stringify({
        id: `evt_${id}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id,
            object: 'payment_intent',
            amount: i.amount,
            currency: i.currency,
            status: 'succeeded',
            metadata: { orderId: i.orderId },
            last_payment_error: null,
          },
        },
      });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      const hook = await fetch(`${server.url}/api/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      expect(hook.status).toBe(200);
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': '*' },
        body: JSON.stringify({ paymentIntent: { id, status: 'succeeded' } }),
      });
    });
    const page = await context.newPage();
    await page.goto(`/checkout?event=${EVENT}`);
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByLabel('Card number (Stripe)').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __stripePk?: string }).__stripePk)).toBe(
      'pk_test_e2e',
    );
    const violations = await axe(page);
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await shot(page, 'checkout-stripe');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/orders\?placed=/, { timeout: 30_000 });
    await expect.poll(() => page.locator('.placed').textContent(), { timeout: 15_000 }).toContain('is paid');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatch(/^pi_e2e_\d+_secret_e2e$/);
    const { orders } = await fan.http.request<{ orders: { status: string; total: number }[] }>(
      'GET',
      '/api/orders',
    );
    expect(orders.map((o) => o.status)).toEqual(['paid']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
