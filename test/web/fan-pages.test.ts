import { describe, expect, it } from 'vitest';
import { countdown, waitWords } from '../../client/web/lib/format.ts';
import { attemptId, attemptKey } from '../../client/web/pages/checkout/attempt.ts';
import { cardProblem } from '../../client/web/pages/checkout/card.ts';
import {
  formFromQuery,
  formProblem,
  pageCount,
  queryFromForm,
  searchFromForm,
} from '../../client/web/pages/home/search-params.ts';
import { queueScreen, saleOverMessage } from '../../client/web/pages/queue/queue-view.ts';
import { untilNextStep } from '../../client/web/pages/tickets/qr-step.ts';

// The fan pages' pure logic; the pages themselves are tested in a browser (test/e2e).

describe('the home page search in the URL', () => {
  it('given a query string, then the form, the catalog search (prices in minor units) and the same query back', () => {
    const q = new URLSearchParams('q=jazz&city=Bergen&minPrice=10&maxPrice=45.5&sort=date&page=3&junk=1');
    const form = formFromQuery(q);
    expect(searchFromForm(form)).toEqual({
      q: 'jazz',
      city: 'Bergen',
      minPrice: 1000,
      maxPrice: 4550,
      sort: 'date',
      page: 3,
      pageSize: 12,
      from: undefined,
      to: undefined,
      category: undefined,
    });
    expect(queryFromForm(form)).toBe('?q=jazz&city=Bergen&minPrice=10&maxPrice=45.5&sort=date&page=3');
    expect(queryFromForm(formFromQuery(new URLSearchParams('page=1&sort=bogus')))).toBe('');
  });

  it('given impossible filters, then a problem in words', () => {
    const f = (s: string) => formProblem(formFromQuery(new URLSearchParams(s)));
    expect(f('minPrice=50&maxPrice=10')).toMatch(/lowest price is above/);
    expect(f('minPrice=-1')).toMatch(/0 or more/);
    expect(f('from=2026-05-02&to=2026-05-01')).toMatch(/before the start/);
    expect(f('minPrice=5&maxPrice=5')).toBeNull();
  });

  it('given a total, then the pages to offer, at most the 10,000 results the catalog goes deep', () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(25)).toBe(3);
    expect(pageCount(1_000_000)).toBe(833);
  });
});

describe('the checkout attempt key', () => {
  it('given the same request again (holds in any order, code in any case), then the same key; another request, another key', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as Storage;
    let n = 0;
    const make = () => `key-${n++}`;
    const a = attemptKey({ eventId: 'e', holdIds: ['h2', 'h1'], code: 'north10' }, storage, make);
    expect(attemptKey({ eventId: 'e', holdIds: ['h1', 'h2'], code: 'NORTH10 ' }, storage, make)).toBe(a);
    expect(attemptKey({ eventId: 'e', holdIds: ['h1', 'h2'] }, storage, make)).not.toBe(a);
    expect(attemptId({ eventId: 'e', code: '' })).toBe(attemptId({ eventId: 'e' }));
  });
});

describe('the card form checks', () => {
  const now = new Date('2026-12-02T08:00:00Z');
  it.each([
    ['4242 4242 4242 4242', '12/30', '123', null],
    ['4242', '12/30', '123', /card number/],
    ['4242424242424242', '13/30', '123', /MM\/YY/],
    ['4242424242424242', '11/26', '123', /expired/],
    ['4242424242424242', '12/26', '12', /security code/],
  ])('given %s, %s, %s, then %s', (card, exp, cvc, want) => {
    const p = cardProblem(card, exp, cvc, now);
    if (want === null) expect(p).toBeNull();
    else expect(p).toMatch(want as RegExp);
  });
});

describe('the waiting room screen', () => {
  const place = {
    ticket: 10,
    serving: 4,
    rate: 0,
    position: 6,
    etaSeconds: null,
    admitted: false,
    state: 'waiting' as const,
    enabled: true,
  };
  it('given a newer broadcast, then the place, wait and progress from it; an older one is ignored', () => {
    expect(queueScreen(place, { serving: 7, rate: 2 }, 6)).toEqual({
      phase: 'waiting',
      place: 3,
      eta: 1.5,
      rate: 2,
      progress: 0.5,
    });
    expect(queueScreen(place, { serving: 2, rate: 2 }, 6).place).toBe(6);
    expect(queueScreen(place, null, 6)).toMatchObject({ phase: 'waiting', eta: null, rate: 0 });
  });
  it('given the number served, then the turn; admitted, expired and prequeue places say so', () => {
    expect(queueScreen(place, { serving: 10, rate: 1 }, 6).phase).toBe('turn');
    expect(queueScreen({ ...place, admitted: true, state: 'admitted' }, null, 6).phase).toBe('admitted');
    expect(queueScreen({ ...place, state: 'skipped' }, null, 6).phase).toBe('skipped');
    expect(queueScreen({ ...place, state: 'prequeue' }, null, 6)).toMatchObject({
      phase: 'prequeue',
      eta: null,
    });
  });
  it('given an event sold out, ended or cancelled, then a message; on sale or paused, none', () => {
    expect(saleOverMessage('sold_out')).toMatch(/sold out/);
    expect(saleOverMessage('completed')).toMatch(/ended/);
    expect(saleOverMessage('cancelled')).toMatch(/cancelled/);
    expect(saleOverMessage('on_sale')).toBeNull();
    expect(saleOverMessage('paused')).toBeNull();
  });
});

describe('words and times', () => {
  it('given waits and deadlines, then what the pages say', () => {
    expect(waitWords(null)).toBe('not known yet');
    expect(waitWords(0.2)).toBe('any moment now');
    expect(waitWords(42.1)).toBe('about 43 s');
    expect(waitWords(600)).toBe('about 10 min');
    expect(waitWords(3 * 3600 + 300)).toBe('about 3 h 5 min');
    expect(countdown(1_000 + 95_000, 1_000)).toBe('1:35');
    expect(countdown(0, 5_000)).toBe('0:00');
  });
  it('given a time, then the wait for the next 15-second step of the QR code', () => {
    expect(untilNextStep(15_000 * 1000)).toBe(15_250);
    expect(untilNextStep(15_000 * 1000 + 14_900)).toBe(350);
  });
});
