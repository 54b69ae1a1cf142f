/// <reference lib="dom" />
import jsQRModule from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chart } from '../../src/domain/chart.ts';
import { type Account, createStaff } from './support/accounts.ts';
import { axe } from './support/axe.ts';
import { launchBrowser, openContext, shot } from './support/browser.ts';
import { type E2eServer, startE2eServer } from './support/server.ts';

// The operator console and the scanner page in a real browser, on a real server: an operator
// makes a venue from the theatre template (previewed on the seat map), creates an event on it
// with prices, publishes it and opens its sale, sells two seats at the box office for cash and
// sees their tickets, and the live dashboard counts them; a scanner admits one of the tickets
// once and refuses it the second time, saying when and where it was used. Every page is
// checked with axe (no serious or critical violations); the dashboard, box office and scanner
// are saved under test-results/.

// jsqr is CommonJS with an ES-style default in its types: its function is the module itself.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

let server: E2eServer;
let browser: Browser;
let operator: Account;
let scanner: Account;

beforeAll(async () => {
  [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  [operator, scanner] = await Promise.all([
    createStaff(server.url, 'operator'),
    createStaff(server.url, 'scanner'),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const EVENT = 'e2e-night';

async function noViolations(page: Page, where: string) {
  const found = await axe(page);
  expect(found, `axe on ${where}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
}

/** The QR content the ticket shows now, decoded from its PNG as its owner reads it. */
async function qrPayload(account: Account, ticketId: string): Promise<string> {
  const r = await fetch(`${server.url}/api/tickets/${encodeURIComponent(ticketId)}/qr?format=png`, {
    headers: { authorization: `Bearer ${account.token}` },
  });
  expect(r.status).toBe(200);
  const png = PNG.sync.read(Buffer.from(await r.arrayBuffer()));
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(decoded).not.toBeNull();
  return decoded!.data;
}

describe('the operator console and the scanner', () => {
  let ticketId = '';

  it('given an operator, then a venue from a template, an event on it published and on sale, two seats sold at the box office, and the dashboard counts them', async () => {
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: operator.token, user: operator.user },
    });
    const page = await context.newPage();

    // A venue from the theatre template, previewed on the seat map first.
    await page.goto('/console/venues');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Venues and charts');
    await noViolations(page, 'the venues page');
    await page.getByLabel('Name', { exact: true }).fill('E2E Hall');
    await page.getByLabel('City').fill('Oslo');
    await page.getByLabel('Id (optional)').fill('e2e-hall');
    await page.getByLabel('Template', { exact: true }).selectOption('theatre');
    await page.getByRole('button', { name: 'Preview the template' }).click();
    await expect.poll(() => page.locator('.chart-preview canvas').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.chart-preview').first().textContent()).toMatch(/seats/);
    await noViolations(page, 'the venues page with a chart preview');
    await shot(page, 'console-venue-preview');
    await page.getByRole('button', { name: 'Create the venue' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'created' }).count()).toBe(1);

    // The event, on the venue's chart, with a price per category.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Events' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Events');
    await page.getByLabel('Name', { exact: true }).fill('E2E Night');
    await page.getByLabel('Id (optional)').fill(EVENT);
    await page.getByLabel('Venue and chart').selectOption('e2e-hall');
    const starts = new Date(Date.now() + 30 * 86_400_000);
    const local = `${starts.getFullYear()}-${String(starts.getMonth() + 1).padStart(2, '0')}-${String(starts.getDate()).padStart(2, '0')}T20:00`;
    await page.getByLabel('Starts at').fill(local);
    const priceInputs = page.locator('input[id^="new-price-"]');
    await expect.poll(() => priceInputs.count()).toBeGreaterThan(0);
    for (let i = 0; i < (await priceInputs.count()); i++) await priceInputs.nth(i).fill(`${40 + 10 * i}.00`);
    await noViolations(page, 'the events page');
    await page.getByRole('button', { name: 'Create the event' }).click();
    await page.waitForURL(`${server.url}/console/events/${EVENT}`);

    // Publish, then open the sale.
    await expect.poll(() => page.locator('h1').textContent()).toBe('E2E Night');
    await noViolations(page, 'the event page');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(() => page.locator('#sale-h + p').textContent()).toContain('Scheduled');
    await page.getByRole('button', { name: 'Open the sale', exact: true }).click();
    await expect.poll(() => page.locator('#sale-h + p').textContent()).toContain('On sale');

    // Fees and a promo code, now that the event runs.
    await page.getByLabel('Fee per ticket: amount').fill('1.50');
    await page.getByRole('button', { name: 'Save fees' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Fees saved' }).count()).toBe(1);
    await page.getByLabel('Code', { exact: true }).fill('spring10');
    await page.getByLabel('Percent off').fill('10');
    await page.getByRole('button', { name: 'Add the code' }).click();
    await expect.poll(() => page.locator('#codes-h ~ table').textContent()).toContain('SPRING10');
    await noViolations(page, 'the event page on sale');
    await shot(page, 'console-event');

    // The box office: two seats typed in, held, sold for cash; their tickets show.
    const chart = (await (await fetch(`${server.url}/api/events/${EVENT}/chart`)).json()).chart as Chart;
    const seats = chart.sections[0].rows[0].seats.filter((s) => !s.accessible && !s.companion).slice(0, 2);
    await page.getByRole('link', { name: 'Box office' }).click();
    await page.waitForURL(`${server.url}/console/events/${EVENT}/box-office`);
    await expect.poll(() => page.locator('.box-office-map canvas').count()).toBeGreaterThan(0);
    await noViolations(page, 'the box office');
    await page
      .getByLabel('Seat ids', { exact: true })
      .first()
      .fill(seats.map((s) => s.id).join(' '));
    await page.getByRole('button', { name: 'Hold 2 seats' }).click();
    await expect.poll(() => page.locator('.holds li').count()).toBe(1);
    await page.getByLabel('Cash').check();
    await page.getByLabel('Customer email').fill('walk-up@e2e.test');
    await page.getByLabel('Customer name (optional)').fill('Walk Up');
    await page.getByRole('button', { name: 'Sell the held seats' }).click();
    await expect.poll(() => page.locator('.ticket-card').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(() => page.locator('.ticket-card .qr svg').count(), { timeout: 15_000 }).toBe(2);
    ticketId = (await page.locator('.ticket-card').first().getAttribute('data-ticket-id')) ?? '';
    expect(ticketId).not.toBe('');
    await noViolations(page, 'the box office after a sale');
    await shot(page, 'console-box-office');

    // The dashboard counts them, live.
    await page.getByRole('link', { name: 'Live dashboard' }).click();
    await page.waitForURL(`${server.url}/console/events/${EVENT}/dashboard`);
    const tile = (label: string) =>
      page.locator('.tile', { has: page.locator('dt', { hasText: label }) }).locator('.tile-value');
    await expect.poll(() => tile('Sold').first().textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => tile('Tickets').first().textContent(), { timeout: 10_000 }).toBe('2');
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 10_000 })
      .toContain('Live');
    await expect.poll(() => page.locator('.time-chart canvas').count()).toBeGreaterThanOrEqual(4);
    await noViolations(page, 'the dashboard');

    // Selling more elsewhere moves the dashboard without a reload.
    const third = chart.sections[0].rows[0].seats.filter((s) => !s.accessible && !s.companion)[2];
    const hold = await operator.http.hold({ eventId: EVENT, seats: [third.id] });
    await expect.poll(() => tile('Held').first().textContent(), { timeout: 10_000 }).toBe('1');
    await operator.http.release(hold.holdId);
    // That hold was answered while the dashboard watched: its latency shows, in milliseconds.
    await expect
      .poll(() => tile('Hold latency p99').first().textContent(), { timeout: 10_000 })
      .toMatch(/ms$/);
    await expect
      .poll(() => tile('Journal commit p99').first().textContent(), { timeout: 10_000 })
      .toMatch(/ms$/);
    await expect.poll(() => tile('Held').first().textContent(), { timeout: 10_000 }).toBe('0');
    await shot(page, 'console-dashboard');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a scanner at a gate, then a sold ticket is admitted once and refused as already used the second time', async () => {
    expect(ticketId).not.toBe('');
    const payload = await qrPayload(operator, ticketId);
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: scanner.token, user: scanner.user },
    });
    const page = await context.newPage();
    await page.goto('/scan');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Scan tickets');
    await noViolations(page, 'the scanner set-up');
    // The event found by its name in the catalog; choosing it fills its id.
    await page.getByLabel('Find the event: its name, artist or venue').fill('e2e night');
    await page.getByRole('button', { name: 'Search' }).last().click();
    await page.getByRole('button', { name: 'E2E Night' }).click();
    expect(await page.getByLabel('Event id').inputValue()).toBe(EVENT);
    await noViolations(page, 'the scanner set-up with search results');
    await page.getByLabel('Gate').fill('North');
    await page.getByRole('button', { name: 'Start scanning' }).click();
    const code = page.getByLabel('Ticket code');
    await expect.poll(() => code.evaluate((el) => el === document.activeElement)).toBe(true);
    await noViolations(page, 'the scanner');

    await code.fill(payload);
    await code.press('Enter');
    const verdict = page.locator('.verdict');
    await expect.poll(() => verdict.getAttribute('data-tone')).toBe('valid');
    expect(await verdict.textContent()).toContain('Valid: admit');
    await noViolations(page, 'the scanner with a valid ticket');

    // The field is empty and focused again: the second scan of the same code.
    expect(await code.inputValue()).toBe('');
    await code.fill(payload);
    await code.press('Enter');
    await expect.poll(() => verdict.getAttribute('data-tone')).toBe('used');
    const text = await verdict.textContent();
    expect(text).toContain('Already used');
    expect(text).toContain('at gate North');
    await noViolations(page, 'the scanner with a used ticket');
    await shot(page, 'scanner-already-used');
    expect(await page.locator('.scanner p').first().textContent()).toContain('E2E Night');

    // Garbage is invalid, in words.
    await code.fill('not-a-ticket');
    await code.press('Enter');
    await expect.poll(() => verdict.getAttribute('data-tone')).toBe('invalid');
    expect(await verdict.textContent()).toContain('not an onsale ticket');

    // On a phone, as gate staff hold it: the verdict still fills the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'scanner-phone-invalid');
    const box = await verdict.boundingBox();
    expect(box?.width).toBeGreaterThan(300);

    // The two refusals are 409 and 400 answers, which the browser logs; nothing else failed.
    expect(errors.filter((e) => !/status of (409|400)/.test(e))).toEqual([]);
    await context.close();
  });

  it("given the box office, then the sale is found by the buyer's email and refunded in part, seats are blocked and released, and a seat's history tells it", async () => {
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: operator.token, user: operator.user },
    });
    const page = await context.newPage();
    await page.goto(`/console/events/${EVENT}/box-office`);
    await expect.poll(() => page.locator('.box-office-map canvas').count()).toBeGreaterThan(0);

    // A seat picked on the map with the keyboard: zoom in to the seats, move to one, Enter.
    const map = page.locator('.box-office-map .seat-map-canvas');
    await map.focus();
    // The map's test hook (client/web/seat-map/stats.ts): its level of detail now.
    const mode = () =>
      page.evaluate(
        () =>
          (globalThis as { __seatMapStats?: { view: () => { mode: string } | null } }).__seatMapStats?.view()
            ?.mode,
      );
    for (let i = 0; i < 12 && (await mode()) !== 'detail'; i++) await page.keyboard.press('+');
    expect(await mode()).toBe('detail');
    const said = page.locator('.box-office-map [aria-live="polite"]');
    for (let i = 0; i < 40 && !/^Section/.test((await said.textContent()) ?? ''); i++) {
      await page.keyboard.press('ArrowDown');
    }
    expect(await said.textContent()).toMatch(/^Section/);
    await page.keyboard.press('Enter');
    const chosen = page.locator('#sell-h ~ p', { hasText: 'Chosen on the map' });
    await expect.poll(() => chosen.count()).toBe(1);
    expect(await chosen.textContent()).toMatch(/Chosen on the map: \S+/);
    await chosen.getByRole('button', { name: 'clear' }).click();
    await expect.poll(() => chosen.count()).toBe(0);

    // Find the walk-up customer's order and refund one of its two tickets, the seat blocked.
    await page.getByLabel('Buyer email').fill('walk-up@e2e.test');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await expect.poll(() => page.locator('.order-detail').count()).toBe(1);
    const detail = page.locator('.order-detail');
    expect(await detail.textContent()).toContain('walk-up@e2e.test');
    await detail.getByRole('checkbox').first().check();
    await detail.getByLabel('The seats then').selectOption('blocked');
    await detail.getByLabel('Reason (optional)').fill('changed plans');
    page.once('dialog', (d) => d.accept());
    await detail.getByRole('button', { name: 'Refund 1 ticket(s)' }).click();
    await expect.poll(() => detail.getByRole('status').textContent()).toMatch(/^Refunded/);
    await expect.poll(() => detail.textContent()).toContain('partially refunded');
    await noViolations(page, 'the box office with an order open');

    // The refunded seat is blocked; release it, then block and release another.
    const chart = (await (await fetch(`${server.url}/api/events/${EVENT}/chart`)).json()).chart as Chart;
    const row = chart.sections[0].rows[0].seats.filter((x) => !x.accessible && !x.companion);
    const seatState = async (id: string) => {
      const r = await (await fetch(`${server.url}/api/events/${EVENT}/seats`)).json();
      const all = chart.sections.flatMap((x) => x.rows.flatMap((rw) => rw.seats.map((st) => st.id)));
      return Buffer.from(r.status as string, 'base64')[all.indexOf(id)];
    };
    await expect.poll(() => seatState(row[0].id)).toBe(3);
    const tools = page.locator('section.panel', { has: page.locator('#seat-tools-h') });
    await tools.getByLabel('Seat ids to block or release').fill(row[0].id);
    await tools.getByRole('button', { name: 'Release blocked seats' }).click();
    await expect.poll(() => tools.getByRole('status').first().textContent()).toBe('1 seat(s) released.');
    await expect.poll(() => seatState(row[0].id)).toBe(0);
    await tools.getByLabel('Seat ids to block or release').fill(row[3].id);
    await tools.getByRole('button', { name: 'Block', exact: true }).click();
    await expect.poll(() => tools.getByRole('status').first().textContent()).toBe('1 seat(s) blocked.');
    await expect.poll(() => seatState(row[3].id)).toBe(3);

    // The first seat's story: held, booked, refunded (blocked), released.
    await tools.getByLabel('Seat id', { exact: true }).fill(row[0].id);
    await tools.getByRole('button', { name: 'Show the history' }).click();
    const history = page.getByRole('list', { name: `History of ${row[0].id}` });
    await expect.poll(() => history.locator('li').count()).toBeGreaterThanOrEqual(3);
    const story = await history.textContent();
    expect(story).toContain('SeatsHeld');
    expect(story).toContain('SeatsBooked');
    expect(story).toContain('SeatsUnblocked');
    await noViolations(page, 'the box office with a seat history');

    // A seat that cannot be held says why.
    await page.getByLabel('Seat ids', { exact: true }).first().fill(row[3].id);
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await expect.poll(() => page.locator('#sell-h ~ .error').first().textContent()).toBeTruthy();

    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    await context.close();
  });

  it('given the waiting room switched on at a rate on the event page, then the dashboard shows it on at that rate, and off again', async () => {
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: operator.token, user: operator.user },
    });
    const page = await context.newPage();
    await page.goto(`/console/events/${EVENT}`);
    const room = page.locator('section.panel', { has: page.locator('#room-h') });
    await expect.poll(() => room.textContent()).toContain('Off');
    await room.getByLabel('Waiting room on').check();
    await room.getByLabel('Admission rate (fans per second)').fill('7');
    await room.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => room.getByRole('status').textContent()).toBe('On, admitting 7 fans a second.');
    await noViolations(page, 'the event page with the waiting room on');
    await page.getByRole('link', { name: 'Live dashboard' }).click();
    const tile = (label: string) =>
      page.locator('.tile', { has: page.locator('dt', { hasText: label }) }).locator('.tile-value');
    await expect.poll(() => tile('Waiting room').textContent(), { timeout: 10_000 }).toBe('On');
    await expect.poll(() => tile('Admission rate').textContent(), { timeout: 10_000 }).toBe('7/s');
    await page.getByRole('link', { name: 'Settings and sale' }).click();
    await expect.poll(() => room.textContent()).toContain('admitting 7 a second');
    await room.getByLabel('Waiting room on').uncheck();
    await room.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => room.getByRole('status').textContent())
      .toBe('Off: fans go straight to the seats.');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given an event cancelled from its page with a reason, then it is cancelled and offers no sale controls', async () => {
    await operator.http.request('POST', '/api/events', {
      id: 'e2e-cancel',
      name: 'E2E Cancelled',
      category: 'concert',
      venueId: 'e2e-hall',
      startsAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      status: 'on_sale',
      priceTiers: { P1: 1000, P2: 1000, P3: 1000, P4: 1000 },
    });
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: operator.token, user: operator.user },
    });
    const page = await context.newPage();
    await page.goto('/console/events/e2e-cancel');
    await expect.poll(() => page.locator('#sale-h + p').textContent()).toContain('On sale');
    await page.getByText('Cancel the event', { exact: true }).click();
    await page.getByLabel('Reason, told to the buyers with their refund').fill('the band is ill');
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Cancel the event and refund every order' }).click();
    await expect.poll(() => page.locator('#sale-h + p').textContent()).toContain('Cancelled');
    expect(await page.locator('#sale-h ~ .row button').count()).toBe(0);
    expect(await page.locator('section.panel', { has: page.locator('#sale-h') }).textContent()).toContain(
      "This event's sale is over.",
    );
    await noViolations(page, 'a cancelled event');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a chart pasted with a mistake, then its problems are listed before anything is sent; fixed, it previews and imports as a new venue', async () => {
    const { context, errors } = await openContext(browser, server.url, {
      session: { token: operator.token, user: operator.user },
    });
    const page = await context.newPage();
    await page.goto('/console/venues');
    await page.getByLabel('Import a chart').check();
    const chart = (await (await fetch(`${server.url}/api/events/${EVENT}/chart`)).json()).chart as Chart;
    const broken = structuredClone(chart);
    broken.id = 'pasted-hall';
    broken.sections[0].rows[0].seats[1].id = broken.sections[0].rows[0].seats[0].id;
    const text = page.getByLabel('…or paste the chart JSON');
    await text.fill(JSON.stringify(broken));
    const problems = page.getByRole('alert').filter({ hasText: 'cannot be imported' });
    await expect.poll(() => problems.textContent()).toContain('duplicate seat id');
    await noViolations(page, 'the venues page with a refused chart');
    broken.sections[0].rows[0].seats[1].id = `${broken.sections[0].rows[0].seats[0].id}-b`;
    await text.fill(JSON.stringify(broken));
    await expect.poll(() => problems.count()).toBe(0);
    await expect.poll(() => page.locator('.chart-preview canvas').count()).toBeGreaterThan(0);
    await page.getByLabel('Name', { exact: true }).fill('Pasted Hall');
    await page.getByLabel('City').fill('Bergen');
    await page.getByRole('button', { name: 'Create the venue' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Pasted Hall' }).count()).toBe(1);
    await expect.poll(() => page.locator('table').first().textContent()).toContain('Pasted Hall');
    expect(errors).toEqual([]);
    await context.close();
  });
});
