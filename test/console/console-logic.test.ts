import { describe, expect, it } from 'vitest';
import { parseSeatIds, toggle } from '../../client/web/console/box-office/selection.ts';
import { checkChartText } from '../../client/web/console/chart-check.ts';
import { summariseChart } from '../../client/web/console/chart-summary.ts';
import {
  fromLocalInput,
  money,
  moneyInput,
  ms,
  parseMoney,
  toLocalInput,
} from '../../client/web/console/format.ts';
import { consoleHref, consoleView } from '../../client/web/console/paths.ts';
import { cancellable, saleActions } from '../../client/web/console/sale-actions.ts';
import { generateChart } from '../../src/domain/chart-generator.ts';

// The console's pure parts: its routes, money and times, the sale controls each status offers,
// the chart check and summary, and the box office's seat selection.

describe('console paths', () => {
  it('given each console path, then it names its view, and the links lead back to it', () => {
    expect(consoleView('/console')).toEqual({ view: 'events' });
    expect(consoleView('/console/')).toEqual({ view: 'events' });
    expect(consoleView('/console/venues')).toEqual({ view: 'venues' });
    expect(consoleView(consoleHref.event('a b'))).toEqual({ view: 'event', id: 'a b' });
    expect(consoleView(consoleHref.dashboard('gig'))).toEqual({ view: 'dashboard', id: 'gig' });
    expect(consoleView(consoleHref.boxOffice('gig'))).toEqual({ view: 'box-office', id: 'gig' });
  });

  it('given an unknown path or a malformed escape, then it is not found', () => {
    expect(consoleView('/console/nope')).toEqual({ view: 'not-found' });
    expect(consoleView('/console/events/%E0%A4%A/dashboard')).toEqual({ view: 'not-found' });
    expect(consoleView('/console/events/x/refunds')).toEqual({ view: 'not-found' });
  });
});

describe('console formats', () => {
  it('given prices typed by people, then they are minor units, and anything else is refused', () => {
    expect(parseMoney('12.50')).toBe(1250);
    expect(parseMoney('12,5')).toBe(1250);
    expect(parseMoney(' 7 ')).toBe(700);
    expect(parseMoney('0.07')).toBe(7);
    expect(parseMoney('-1')).toBeNull();
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('ten')).toBeNull();
    expect(moneyInput(1250)).toBe('12.50');
    expect(money(1250, 'EUR')).toMatch(/12[.,]50/);
    expect(money(1250, 'not a currency')).toBe('12.50 not a currency');
  });

  it('given a time, then the datetime-local value and back give the same minute', () => {
    const iso = '2026-12-24T18:30:00.000Z';
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(toLocalInput(null)).toBe('');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('garbage')).toBeNull();
    expect(ms(null)).toBe('—');
    expect(ms(3.25)).toBe('3.3 ms');
    expect(ms(42.4)).toBe('42 ms');
  });
});

describe('sale controls', () => {
  it('given a draft, then it can be published (or opened at once) and cancelled', () => {
    expect(saleActions('draft').map((a) => a.to)).toEqual(['scheduled', 'presale', 'on_sale']);
    expect(cancellable('draft')).toBe(true);
  });

  it('given an open sale, then it can be paused, marked sold out or closed (with a question first)', () => {
    const a = saleActions('on_sale');
    expect(a.map((x) => x.to)).toEqual(['paused', 'sold_out', 'completed']);
    expect(a.find((x) => x.to === 'completed')?.confirm).toBeTruthy();
    expect(saleActions('paused').map((x) => x.to)).toContain('on_sale');
  });

  it('given a finished event, then nothing is offered', () => {
    expect(saleActions('completed')).toEqual([]);
    expect(saleActions('cancelled')).toEqual([]);
    expect(cancellable('completed')).toBe(false);
  });
});

describe('chart check and summary', () => {
  it('given the theatre template, then it passes and its figures add up', () => {
    const chart = generateChart('theatre');
    const c = checkChartText(JSON.stringify(chart));
    expect(c.ok).toBe(true);
    const s = summariseChart(chart);
    expect(s.sections).toBe(chart.sections.length);
    expect(s.seats).toBe(chart.sections.flatMap((x) => x.rows.flatMap((r) => r.seats)).length);
    expect(s.categories.reduce((n, x) => n + x.seats, 0)).toBe(s.seats);
  });

  it('given text that is no JSON, or a chart with a duplicate seat, then the problems say where', () => {
    const bad = checkChartText('{"format":');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatch(/^Not JSON/);
    const chart = generateChart('theatre');
    chart.sections[1].rows[0].seats[0].id = chart.sections[0].rows[0].seats[0].id;
    const dup = checkChartText(JSON.stringify(chart));
    expect(dup.ok).toBe(false);
    if (!dup.ok)
      expect(dup.problems.join('\n')).toMatch(/sections\[1\]\.rows\[0\]\.seats\[0\].*duplicate seat id/);
  });
});

describe('box office selection', () => {
  it('given typed seat ids, then each is taken once in order; toggling adds and removes', () => {
    expect(parseSeatIds('S1-A-1, S1-A-2  S1-A-1;S1-A-3')).toEqual(['S1-A-1', 'S1-A-2', 'S1-A-3']);
    expect(parseSeatIds('  ')).toEqual([]);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggle(['b'], 'a')).toEqual(['b', 'a']);
  });
});
