import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs } from '../../src/notifications/backoff.ts';
import { formatMoney, minorDigits } from '../../src/notifications/money.ts';
import { validMail } from '../../src/notifications/outbox.ts';
import {
  eventCancelled,
  type OrderMail,
  orderConfirmed,
  orderRefunded,
} from '../../src/notifications/templates.ts';

// The pure parts of mail: money from minor units, the three templates, the retry schedule and
// the checks a mail passes before it is written.

/** The text with its wrapping undone, to find a sentence whatever the line breaks. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

const order: OrderMail = {
  orderId: 'ord_42',
  eventName: 'Hollow Heros — Live',
  startsAt: 'Sat 14 June 2025, 19:30',
  venue: 'Demo Stadium, Lisbon',
  name: 'Zoë Fan',
  email: 'zoe@example.com',
  currency: 'EUR',
  lines: [
    { label: 'Block A, row 3, seat 12 — Adult', price: 4500 },
    { label: 'Block A, row 3, seat 13 — Child', price: 2250 },
    { label: 'Service fee', price: 399 },
  ],
  total: 7149,
};

describe('formatMoney', () => {
  it('formats EUR, USD and JPY from minor units with the digits Intl gives each currency', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(1999, 'USD')).toBe('$19.99');
    expect(formatMoney(-250, 'USD')).toBe('-$2.50');
    expect(formatMoney(1999, 'JPY')).toBe('¥1,999');
    expect(formatMoney(0, 'JPY')).toBe('¥0');
    expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('BHD')]).toEqual([2, 0, 3]);
    expect(formatMoney(1234, 'BHD')).toBe('BHD\u00a01.234');
  });

  it('is exact where a float would not be, and follows the locale', () => {
    expect(formatMoney(900719925474099, 'EUR')).toBe('€9,007,199,254,740.99');
    expect(formatMoney(1000000001, 'USD')).toBe('$10,000,000.01');
    expect(formatMoney(1999, 'EUR', 'de-DE')).toBe('19,99\u00a0€');
  });

  it('refuses what is not an integer amount', () => {
    expect(() => formatMoney(19.99, 'EUR')).toThrow(RangeError);
  });
});

describe('templates', () => {
  it('orderConfirmed: subject names the event and order; every line, its price and the total appear', () => {
    const m = orderConfirmed(order);
    expect(m.subject).toBe('Order confirmed: Hollow Heros — Live (order ord_42)');
    expect(m.text).toMatch(/^Hello Zoë Fan,\n/);
    expect(flat(m.text)).toContain('Your payment went through; this is what you bought:');
    for (const [label, price] of [
      ['Block A, row 3, seat 12 — Adult', '€45.00'],
      ['Block A, row 3, seat 13 — Child', '€22.50'],
      ['Service fee', '€3.99'],
      ['Total', '€71.49'],
    ])
      expect(m.text).toMatch(new RegExp(`^  ${label} +${price.replace('$', '\\$')}$`, 'm'));
    expect(m.text).toContain('Sat 14 June 2025, 19:30');
    expect(m.text).toContain('Demo Stadium, Lisbon');
    expect(m.text).toContain('Order reference: ord_42');
    for (const line of m.text.split('\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('amounts line up in one column, whatever their width', () => {
    const m = orderConfirmed({
      ...order,
      lines: [
        { label: 'A', price: 5 },
        { label: 'B', price: 123456 },
      ],
      total: 123461,
    });
    const ends = m.text
      .split('\n')
      .filter((l) => /€[\d,.]+$/.test(l))
      .map((l) => l.length);
    expect(ends).toHaveLength(3);
    expect(new Set(ends).size).toBe(1);
  });

  it('JPY has no decimals; a missing name greets plainly', () => {
    const m = orderConfirmed({
      ...order,
      name: null,
      currency: 'JPY',
      lines: [{ label: 'S seat', price: 12000 }],
      total: 12000,
    });
    expect(m.text).toMatch(/^Hello,\n/);
    expect(m.text).toMatch(/^ {2}Total +¥12,000$/m);
    expect(m.text).not.toMatch(/¥12,000\.00/);
  });

  it('line breaks in the data cannot add lines or headers', () => {
    const m = orderConfirmed({
      ...order,
      eventName: 'Evil\r\nBcc: x@example.com',
      lines: [{ label: 'a\nb', price: 1 }],
    });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.text).toContain('  Evil Bcc: x@example.com');
    expect(m.text).toMatch(/^ {2}a b +€0\.01$/m);
  });

  it('orderRefunded tells a full refund from a partial one, with the reason', () => {
    const full = orderRefunded({ ...order, refunded: 7149, reason: 'asked by the fan' });
    expect(full.subject).toBe('Refund of €71.49 for order ord_42');
    expect(flat(full.text)).toContain('We have refunded €71.49 of your order for Hollow Heros — Live.');
    expect(full.text).toContain('Reason: asked by the fan');
    expect(full.text).toMatch(/^ {2}Refunded +€71\.49$/m);
    const part = orderRefunded({ ...order, refunded: 2250, currency: 'USD' });
    expect(part.subject).toBe('Partial refund of $22.50 for order ord_42');
    expect(flat(part.text)).toContain(
      'We have refunded $22.50 of your $71.49 order for Hollow Heros — Live.',
    );
    expect(part.text).not.toContain('Reason:');
  });

  it('eventCancelled says what comes back, or that nothing was charged', () => {
    const paid = eventCancelled({ ...order, refunded: 7149, reason: 'the venue flooded' });
    expect(paid.subject).toBe('Cancelled: Hollow Heros — Live');
    expect(flat(paid.text)).toContain(
      'We are sorry: Hollow Heros — Live on Sat 14 June 2025, 19:30 has been cancelled, and your order with it.',
    );
    expect(flat(paid.text)).toContain('We are refunding €71.49.');
    expect(paid.text).toContain('Reason: the venue flooded');
    const comp = eventCancelled({
      ...order,
      refunded: 0,
      lines: [{ label: 'Guest list', price: 0 }],
      total: 0,
    });
    expect(flat(comp.text)).toContain('nothing to refund');
    expect(comp.text).not.toMatch(/Refunded/);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, caps, and jitters within the upper half', () => {
    const b = { baseMs: 1000, capMs: 60_000 };
    expect(retryDelayMs(1, b, 0)).toBe(500);
    expect(retryDelayMs(1, b, 0.999999)).toBe(1000);
    expect(retryDelayMs(4, b, 0)).toBe(4000);
    expect(retryDelayMs(4, b, 0.5)).toBe(6000);
    expect(retryDelayMs(30, b, 0)).toBe(30_000);
    expect(retryDelayMs(30, b, 0.999999)).toBe(60_000);
    // The defaults: the 11 waits between 12 attempts add up to 13.5 to 27 minutes.
    const waits = (r: number) =>
      Array.from({ length: 11 }, (_, i) => retryDelayMs(i + 1, DEFAULT_BACKOFF, r)).reduce(
        (a, n) => a + n,
        0,
      );
    expect(waits(0)).toBe(811_500);
    expect(waits(0.999999)).toBe(1_623_000);
  });
});

describe('validMail', () => {
  const good = {
    kind: 'order_confirmed',
    dedupeKey: 'ord_1',
    to: ' fan@example.com ',
    subject: 'Hi',
    text: 'a\n\tb\r\n',
  };

  it('keeps a good mail, the address trimmed', () => {
    expect(validMail(good)).toEqual({ ...good, to: 'fan@example.com' });
  });

  it.each([
    ['to', { to: 'not an address' }],
    ['to', { to: 'fan@example.com, other@example.com' }],
    ['to', { to: `${'a'.repeat(250)}@example.com` }],
    ['subject', { subject: '  ' }],
    ['subject', { subject: 'Hi\r\nBcc: x@example.com' }],
    ['subject', { subject: 'x'.repeat(201) }],
    ['text', { text: '' }],
    ['text', { text: 'nul\0' }],
    ['text', { text: 'x'.repeat(100_001) }],
    ['kind', { kind: 'Order Confirmed' }],
    ['dedupeKey', { dedupeKey: '' }],
    ['dedupeKey', { dedupeKey: 'k'.repeat(201) }],
  ])('refuses a bad %s with INVALID_MAIL naming it', (field, change) => {
    expect(() => validMail({ ...good, ...change })).toThrow(
      expect.objectContaining({ code: 'INVALID_MAIL', message: expect.stringContaining(`${field}:`) }),
    );
  });
});
