import { formatMoney } from './money.ts';

// The mails' words, from plain data: pure, no I/O, no clock. Amounts are integer minor
// units of `currency`. Plain text, lines under 78 characters where the data allows.

export interface MailLine {
  /** What was bought: "Block A, row 3, seat 12 — Adult". */
  label: string;
  /** Its price, in minor units. */
  price: number;
}

export interface OrderMail {
  orderId: string;
  eventName: string;
  /** When the event starts, as the fan should read it (in the venue's time): "Sat 14 June 2025, 19:30". */
  startsAt?: string;
  venue?: string;
  /** The buyer's name, if known: the greeting uses it. */
  name?: string | null;
  email: string;
  /** ISO 4217 code: "EUR", "JPY", "USD". */
  currency: string;
  lines: MailLine[];
  /** What the order cost in all (fees and tax included), in minor units. */
  total: number;
  /** Locale for amounts; "en" by default. */
  locale?: string;
}

export interface RefundMail extends OrderMail {
  /** What this refund gives back, in minor units. */
  refunded: number;
  reason?: string;
}

export interface CancellationMail extends OrderMail {
  /** What the fan gets back for the cancelled event, in minor units (0: nothing was paid). */
  refunded: number;
  reason?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

const WIDTH = 72;

/** Folds whitespace (line breaks in data must not break the layout) and trims. */
const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

function greeting(name: string | null | undefined): string {
  const n = name ? clean(name) : '';
  return n ? `Hello ${n},` : 'Hello,';
}

function eventBlock(d: OrderMail): string[] {
  const out = [`  ${clean(d.eventName)}`];
  if (d.startsAt) out.push(`  ${clean(d.startsAt)}`);
  if (d.venue) out.push(`  ${clean(d.venue)}`);
  return out;
}

/** One line per item and the total, amounts right-aligned in one column. */
function lineTable(d: OrderMail, extra: [string, number][] = []): string[] {
  const money = (n: number) => formatMoney(n, d.currency, d.locale);
  const rows: [string, string][] = d.lines.map((l) => [clean(l.label), money(l.price)]);
  const totals: [string, string][] = [
    ['Total', money(d.total)],
    ...extra.map(([k, v]) => [k, money(v)] as [string, string]),
  ];
  const amountWidth = Math.max(...[...rows, ...totals].map(([, a]) => a.length));
  const labelWidth = WIDTH - 4 - amountWidth;
  const fmt = ([label, amount]: [string, string]) => {
    const l = label.length > labelWidth ? `${label.slice(0, labelWidth - 1)}…` : label;
    return `  ${l.padEnd(labelWidth)}${amount.padStart(amountWidth + 2)}`;
  };
  return [...rows.map(fmt), `  ${'-'.repeat(WIDTH - 2)}`, ...totals.map(fmt)];
}

/** A paragraph wrapped at word boundaries to WIDTH columns. */
function wrap(paragraph: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of clean(paragraph).split(' ')) {
    if (line && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const footer = (d: OrderMail): string[] => ['', `Order reference: ${d.orderId}`, '', '— onsale'];

const join = (lines: string[]): string => `${lines.join('\n')}\n`;

/** The order is paid: what was bought, for how much. */
export function orderConfirmed(d: OrderMail): RenderedMail {
  return {
    subject: clean(`Order confirmed: ${d.eventName} (order ${d.orderId})`),
    text: join([
      greeting(d.name),
      '',
      ...wrap('Thank you for your order. Your payment went through; this is what you bought:'),
      '',
      ...eventBlock(d),
      '',
      ...lineTable(d),
      ...footer(d),
    ]),
  };
}

/** Money went back to the fan: all of the order or part of it. */
export function orderRefunded(d: RefundMail): RenderedMail {
  const money = (v: number) => formatMoney(v, d.currency, d.locale);
  const full = d.refunded >= d.total;
  return {
    subject: clean(`${full ? 'Refund' : 'Partial refund'} of ${money(d.refunded)} for order ${d.orderId}`),
    text: join([
      greeting(d.name),
      '',
      ...wrap(
        `We have refunded ${money(d.refunded)} of your ${full ? '' : `${money(d.total)} `}order for ${d.eventName}.`,
      ),
      ...(d.reason ? ['', ...wrap(`Reason: ${d.reason}`)] : []),
      '',
      ...wrap('The money goes back the way you paid; your bank may take a few working days to show it.'),
      '',
      ...eventBlock(d),
      '',
      ...lineTable(d, [['Refunded', d.refunded]]),
      ...footer(d),
    ]),
  };
}

/** The event will not take place: the order is cancelled, and what the fan gets back. */
export function eventCancelled(d: CancellationMail): RenderedMail {
  const money = (v: number) => formatMoney(v, d.currency, d.locale);
  return {
    subject: clean(`Cancelled: ${d.eventName}`),
    text: join([
      greeting(d.name),
      '',
      ...wrap(
        `We are sorry: ${d.eventName}${d.startsAt ? ` on ${d.startsAt}` : ''} has been cancelled, and your order with it.`,
      ),
      ...(d.reason ? ['', ...wrap(`Reason: ${d.reason}`)] : []),
      '',
      ...wrap(
        d.refunded > 0
          ? `We are refunding ${money(d.refunded)}. The money goes back the way you paid; your bank may take a few working days to show it.`
          : 'Nothing was charged for this order, so there is nothing to refund.',
      ),
      '',
      ...eventBlock(d),
      '',
      ...lineTable(d, d.refunded > 0 ? [['Refunded', d.refunded]] : []),
      ...footer(d),
    ]),
  };
}
