/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWaitingRoom } from '../../client/sdk/operator.ts';
import { joinQueue } from '../../client/sdk/waiting-room.ts';
import { type Account, createStaff, registerFan } from './support/accounts.ts';
import { axe } from './support/axe.ts';
import { launchBrowser, openContext, shot } from './support/browser.ts';
import { openEvent } from './support/catalog.ts';
import { type E2eServer, startE2eServer } from './support/server.ts';

// A fan's whole way through the app in a real browser: search, the waiting room while an
// operator sets the admission rate, admission, seats held, checkout with a promo code and
// the simulated cards, the order, and the ticket's rotating QR code.

let server: E2eServer;
let browser: Browser;
let operator: Account;
const EVENT = 'aurora-nights';

beforeAll(async () => {
  [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  operator = await createStaff(server.url, 'operator');
  await openEvent(operator.http, EVENT, { name: 'Aurora Nights', city: 'Tromsø' });
  await openEvent(operator.http, 'harbour-jazz', { name: 'Harbour Jazz', city: 'Bergen', category: 'jazz' });
  await operator.http.request('PUT', `/api/events/${EVENT}/pricing`, {
    currency: 'EUR',
    perTicketFee: { fixed: 150 },
    perOrderFee: { fixed: 100 },
    taxRateBp: 1000,
  });
  await operator.http.request('POST', `/api/events/${EVENT}/codes`, {
    code: 'NORTH10',
    kind: 'discount',
    discount: { percentBp: 1000 },
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The page in a phone's width: nothing wider than the screen; a screenshot; back to a laptop's. */
async function phoneShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), name).toBe(
    true,
  );
  await shot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function expectAccessible(page: Page) {
  expect(await axe(page), `axe on ${page.url()}`).toEqual([]);
}

describe('a fan', () => {
  it('given the home page, then a search with autocomplete and filters finds the event, accessibly, on a laptop and a phone', async () => {
    const { context, errors } = await openContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('.card').count()).toBe(2);
    await expectAccessible(page);
    const box = page.getByRole('combobox', { name: 'Search events' });
    await box.fill('auro');
    const option = page.getByRole('option').filter({ hasText: 'Aurora Nights' });
    await option.first().waitFor();
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBeTruthy();
    await shot(page, 'home-autocomplete');
    // The arrows move through the suggestions and Enter takes the active one: the event's page.
    const active = () =>
      page.evaluate(() => {
        const id = document.querySelector('[role=combobox]')?.getAttribute('aria-activedescendant');
        return id ? document.getElementById(id)?.textContent : null;
      });
    for (let i = 0; i < 5 && !(await active())?.startsWith('Aurora Nights'); i++)
      await box.press('ArrowDown');
    expect(await active()).toMatch(/^Aurora Nights event/);
    await box.press('Enter');
    await page.waitForURL(`${server.url}/events/${EVENT}`);
    await page.goto('/');
    await box.fill('auro');
    await option.first().waitFor();
    await box.press('Escape');
    await box.press('Enter');
    await page.waitForURL(/\?q=auro/);
    await expect.poll(() => page.locator('.card h3').allTextContents()).toEqual(['Aurora Nights']);
    // A filter narrows by city; another with no match says so.
    await page.goto('/');
    await page.getByLabel('City').fill('Bergen');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/city=Bergen/);
    await expect.poll(() => page.locator('.card h3').allTextContents()).toEqual(['Harbour Jazz']);
    await page.getByLabel('Lowest price').fill('90');
    await page.getByLabel('Highest price').fill('10');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('lowest price is above');
    await page.goto('/?category=concert');
    await expect.poll(() => page.locator('.card h3').allTextContents()).toEqual(['Aurora Nights']);
    await shot(page, 'home');
    await page.locator('.card h3 a').click();
    await page.waitForURL(`${server.url}/events/${EVENT}`);

    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.goto('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');

    const phone = await openContext(browser, server.url, { phone: true });
    const small = await phone.context.newPage();
    await small.goto('/');
    await expect.poll(() => small.locator('.card').count()).toBe(2);
    expect(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(small, 'home-phone');
    expect(errors).toEqual([]);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
    await context.close();
  });

  it('given an event without a waiting room, then /queue goes straight to the seats; given one that sells out while the fan waits, then the page says so', async () => {
    const fan = await registerFan(server.url);
    const { context, errors } = await openContext(browser, server.url, { session: fan, phone: true });
    const page = await context.newPage();
    await page.goto('/queue/harbour-jazz');
    await page.waitForURL(`${server.url}/events/harbour-jazz`);
    await page.goto('about:blank'); // the event page may join the room itself once it is on

    await setWaitingRoom(operator.http, 'harbour-jazz', { enabled: true, rate: 0 });
    await joinQueue((await registerFan(server.url)).http, 'harbour-jazz');
    await page.goto('/queue/harbour-jazz');
    await expect.poll(() => page.getByTestId('place').textContent(), { timeout: 10_000 }).toBe('2');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(page, 'queue-phone');
    // The operator marks it sold out and stops admission: every waiting fan hears the rate
    // change at once and reads the event again.
    await operator.http.setStatus('harbour-jazz', 'sold_out');
    await setWaitingRoom(operator.http, 'harbour-jazz', { enabled: true, rate: 0.5 });
    const over = page.getByRole('heading', { name: 'The sale is over' });
    await over.waitFor({ timeout: 10_000 });
    expect(await page.locator('.panel').textContent()).toContain('sold out');
    expect(await axe(page)).toEqual([]);
    await shot(page, 'queue-sold-out');
    // The one failed request: the first visit's join, 409 WAITING_ROOM_OFF (then the seats).
    expect(errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
    await context.close();
  });

  it('given a waiting room, then the fan waits, is admitted when the operator sets a rate, holds seats, pays on /checkout and sees a rotating QR code on /tickets', async () => {
    await setWaitingRoom(operator.http, EVENT, { enabled: true, rate: 0 });
    // Someone is ahead in line, so the fan sees a place of 2.
    const early = await registerFan(server.url);
    await joinQueue(early.http, EVENT);
    const fan = await registerFan(server.url);
    const { context, errors } = await openContext(browser, server.url, { session: fan });
    const page = await context.newPage();

    await page.goto(`/queue/${EVENT}`);
    await expect.poll(() => page.getByTestId('place').textContent(), { timeout: 10_000 }).toBe('2');
    expect(await page.getByTestId('eta').textContent()).toBe('admission is paused for the moment');
    expect(await page.locator('progress').getAttribute('value')).toBe('0');
    await expectAccessible(page);
    await shot(page, 'queue-waiting');

    // One fan a second: the first admission moves the fan to place 1 live (the socket's
    // broadcast), the next admits them.
    await setWaitingRoom(operator.http, EVENT, { enabled: true, rate: 1 });
    await expect.poll(() => page.getByTestId('place').textContent(), { timeout: 10_000 }).toBe('1');
    const turn = page.getByRole('heading', { name: "It's your turn!" });
    await turn.waitFor({ timeout: 15_000 });
    await expectAccessible(page);
    await shot(page, 'queue-admitted');
    await page.waitForURL(`${server.url}/events/${EVENT}`, { timeout: 15_000 });
    const access = await page.evaluate(
      (id) => JSON.parse(sessionStorage.getItem(`onsale.access.${id}`) ?? 'null'),
      EVENT,
    );
    expect(access?.token).toEqual(expect.any(String));

    // Seats held with the access token the waiting room gave (the event page's own work).
    await fan.http.hold({ eventId: EVENT, best: { count: 2 } }, { accessToken: access.token });

    await page.goto('/checkout');
    const article = page.locator('.event-checkout');
    await article.waitFor();
    expect(await article.locator('h2').textContent()).toBe('Aurora Nights');
    expect(await page.getByRole('timer').first().textContent()).toMatch(/Held for you for \d+:\d\d/);
    await expectAccessible(page);
    await page.getByLabel('Promo code (optional)').fill('north10');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.locator('table.breakdown').waitFor();
    const { orders } = await fan.http.request<{
      orders: { id: string; total: number; discount: number; fees: number; tax: number }[];
    }>('GET', '/api/orders');
    expect(orders).toHaveLength(1);
    const bill = await page.locator('table.breakdown tfoot').textContent();
    const euros = (minor: number) => (minor / 100).toFixed(2);
    for (const v of [orders[0].discount, orders[0].fees, orders[0].tax, orders[0].total])
      expect(bill).toContain(euros(v));
    expect(orders[0].discount).toBeGreaterThan(0);
    await shot(page, 'checkout');
    await phoneShot(page, 'checkout-phone');

    // A declined card first: a clear error, nothing paid, the form still there.
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByLabel('Expiry (MM/YY)').fill('12/39');
    await page.getByLabel('Security code').fill('123');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('declined');
    await expectAccessible(page);
    await shot(page, 'checkout-declined');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(new RegExp(`/orders\\?placed=${orders[0].id}`), { timeout: 30_000 });
    await expect.poll(() => page.locator('.placed').textContent(), { timeout: 10_000 }).toContain('is paid');
    await expectAccessible(page);
    await shot(page, 'orders');
    // One order for the two attempts: the declined card and the paid one used the same.
    const after = await fan.http.request<{ orders: { status: string }[] }>('GET', '/api/orders');
    expect(after.orders.map((o) => o.status)).toEqual(['paid']);

    await page.goto('/tickets');
    const qr = page.locator('img.qr');
    await expect.poll(() => qr.count(), { timeout: 10_000 }).toBe(2);
    await expectAccessible(page);
    await shot(page, 'tickets');
    await phoneShot(page, 'tickets-phone');
    const svg = () =>
      page.evaluate(async () => {
        const img = document.querySelector('img.qr') as HTMLImageElement;
        return (await fetch(img.src)).text();
      });
    const first = await svg();
    expect(first).toContain('<svg');
    // The code rotates every 15 s: within 17 s the first ticket's image is another one.
    await expect.poll(svg, { timeout: 17_000, interval: 500 }).not.toBe(first);
    expect(errors).toEqual([]);
    await context.close();
  });
});
