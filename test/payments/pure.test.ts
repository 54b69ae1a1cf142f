import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS } from '../../src/gateway/status-codes.ts';
import { ownWebhookUrl, stripeApi } from '../../src/payments/open-provider.ts';
import { cardOutcome, TEST_CARDS } from '../../src/payments/test-cards.ts';
import { DEFAULT_OUTBOX, nextAttempt } from '../../src/payments/webhook-outbox.ts';

// The payments' pure parts: its error codes all in the gateway's table, the test cards, the
// webhook retry schedule, and the addresses built from configuration.

describe('payments, pure parts', () => {
  it('given every code src/payments raises, then the status table has it (and none is a 500 but WEBHOOK_FAILED)', () => {
    const dir = new URL('../../src/payments/', import.meta.url);
    const codes = new Set<string>();
    for (const f of readdirSync(dir))
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/new PaymentError\(\s*'([A-Z_]+)'/g))
        codes.add(m[1]);
    expect(codes.size).toBeGreaterThan(10);
    for (const c of codes) expect(HTTP_STATUS[c], c).toBeDefined();
    expect([...codes].filter((c) => HTTP_STATUS[c] === 500)).toEqual(['WEBHOOK_FAILED']);
    expect(HTTP_STATUS.PAYMENTS_UNAVAILABLE).toBe(503);
    expect(HTTP_STATUS.INVALID_SIGNATURE).toBe(400);
  });

  it('given the test cards, then each decides as documented and unknown numbers are declined', () => {
    expect(Object.keys(TEST_CARDS).sort()).toEqual(
      ['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000101'].sort(),
    );
    expect(cardOutcome('4242424242424242')).toEqual({ kind: 'succeed' });
    expect(cardOutcome('4000000000000002')).toMatchObject({ kind: 'decline', code: 'card_declined' });
    expect(cardOutcome('4000000000009995')).toMatchObject({ kind: 'decline', code: 'insufficient_funds' });
    expect(cardOutcome('4000000000000101')).toEqual({ kind: 'hang' });
    expect(cardOutcome('5555555555554444')).toMatchObject({ kind: 'decline', code: 'incorrect_number' });
  });

  it('given failed deliveries, then retries back off exponentially to the cap and stop after three days', () => {
    const t0 = 1_000_000;
    const delays = [1, 2, 3, 4, 10, 11].map((n) => (nextAttempt(n, t0, t0, DEFAULT_OUTBOX) ?? 0) - t0);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 512_000, 600_000]);
    expect(nextAttempt(40, t0, t0 + DEFAULT_OUTBOX.giveUpAfterMs, DEFAULT_OUTBOX)).toBeNull();
    expect(nextAttempt(40, t0, t0 + DEFAULT_OUTBOX.giveUpAfterMs - 700_000, DEFAULT_OUTBOX)).not.toBeNull();
  });

  it('given STRIPE_API_BASE and the bind address, then the client settings and the webhook URL', () => {
    expect(stripeApi('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(stripeApi('https://stripe.internal')).toEqual({
      host: 'stripe.internal',
      port: 443,
      protocol: 'https',
    });
    expect(ownWebhookUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080/api/payments/webhook');
    expect(ownWebhookUrl('::', 9)).toBe('http://[::1]:9/api/payments/webhook');
    expect(ownWebhookUrl('127.0.0.1', 0 + 5)).toBe('http://127.0.0.1:5/api/payments/webhook');
  });
});
