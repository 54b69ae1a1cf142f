/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, createStaff, registerFan } from './support/accounts.ts';
import { axe } from './support/axe.ts';
import { launchBrowser, openContext, shot } from './support/browser.ts';
import { buySeats, openEvent } from './support/catalog.ts';
import { type E2eServer, startE2eServer } from './support/server.ts';

// After the purchase, in a real browser: a ticket offered for resale, withdrawn and offered
// again, bought by another fan on /checkout; a ticket transferred to a friend; a refund shown
// on /orders.

let server: E2eServer;
let browser: Browser;
let operator: Account;
const EVENT = 'fjord-opera';

beforeAll(async () => {
  [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  operator = await createStaff(server.url, 'operator');
  await openEvent(operator.http, EVENT, { name: 'Fjord Opera' });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(fan: Account, path: string): Promise<{ page: Page; errors: string[] }> {
  const { context, errors } = await openContext(browser, server.url, { session: fan });
  const page = await context.newPage();
  await page.goto(path);
  return { page, errors };
}

describe('tickets after the sale', () => {
  it('given two tickets, then one is resold to another fan through /checkout and the other is transferred to a friend', async () => {
    const seller = await registerFan(server.url);
    await buySeats(seller.http, EVENT, 2);
    const { page, errors } = await signedIn(seller, '/tickets');
    const tickets = page.locator('li.ticket');
    await expect.poll(() => tickets.count(), { timeout: 10_000 }).toBe(2);

    // Resale: a price above the cap is refused before sending; a fair one lists it.
    const first = tickets.nth(0);
    const firstLabel = (await first.locator('.ticket-info strong').textContent())!;
    await first.getByText('Resell').click();
    const hint = first.locator('.hint');
    await expect.poll(() => hint.textContent()).toMatch(/^Up to €/);
    await first.getByLabel('Resale price').fill('100000');
    await first.getByRole('button', { name: 'Offer for resale' }).click();
    await expect.poll(() => first.getByRole('alert').textContent()).toMatch(/The most you may ask/);
    await first.getByLabel('Resale price').fill('80');
    await first.getByRole('button', { name: 'Offer for resale' }).click();
    await expect.poll(() => first.textContent()).toContain('On sale for €80.00');
    expect(await first.locator('img.qr').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'tickets-resale');
    // Withdrawn and offered again: the QR code comes back in between.
    await first.getByRole('button', { name: 'Withdraw from resale' }).click();
    await expect.poll(() => first.locator('img.qr').count(), { timeout: 10_000 }).toBe(1);
    await first.getByLabel('Resale price').fill('80');
    await first.getByRole('button', { name: 'Offer for resale' }).click();
    await expect.poll(() => first.textContent()).toContain('On sale for €80.00');

    // Another fan finds the offer on /checkout?event= and buys it.
    const buyer = await registerFan(server.url);
    const b = await signedIn(buyer, `/checkout?event=${EVENT}`);
    const buy = b.page.getByRole('link', { name: `Buy ${firstLabel} for €80.00` });
    await buy.waitFor({ timeout: 10_000 });
    expect(await axe(b.page)).toEqual([]);
    await buy.click();
    await b.page.getByRole('button', { name: 'Continue to payment' }).click();
    await b.page.locator('table.breakdown').waitFor();
    await b.page.getByLabel('Card number').fill('4242424242424242');
    await b.page.getByLabel('Expiry (MM/YY)').fill('01/40');
    await b.page.getByLabel('Security code').fill('321');
    await b.page.getByRole('button', { name: /^Pay / }).click();
    await b.page.waitForURL(/\/orders\?placed=/, { timeout: 30_000 });
    await expect
      .poll(() => b.page.locator('.placed').textContent(), { timeout: 10_000 })
      .toContain('is paid');
    await b.page.goto('/tickets');
    await expect
      .poll(() => b.page.locator('.ticket-info strong').allTextContents(), { timeout: 10_000 })
      .toEqual([firstLabel]);

    // The seller's list no longer has it; the other ticket goes to a friend.
    await page.reload();
    await expect.poll(() => tickets.count(), { timeout: 10_000 }).toBe(1);
    const friend = await registerFan(server.url);
    const other = tickets.nth(0);
    const otherLabel = (await other.locator('.ticket-info strong').textContent())!;
    await other.getByText('Transfer to a friend').click();
    await other.getByLabel('Send to (their account email)').fill(friend.user.email);
    await other.getByRole('button', { name: 'Transfer' }).click();
    await expect.poll(() => other.textContent()).toContain(`Send ${otherLabel} to ${friend.user.email}?`);
    expect(await axe(page)).toEqual([]);
    await other.getByRole('button', { name: 'Yes, send it' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`${otherLabel} was sent.`);
    await expect.poll(() => tickets.count()).toBe(0);
    const f = await signedIn(friend, '/tickets');
    await expect
      .poll(() => f.page.locator('li.ticket').textContent(), { timeout: 10_000 })
      .toContain('Sent to you by another fan.');
    expect([...errors, ...b.errors, ...f.errors]).toEqual([]);
  });

  it('given an order the box office refunded, then /orders shows it refunded: the amount and the state of each ticket', async () => {
    const fan = await registerFan(server.url);
    const orderId = await buySeats(fan.http, EVENT, 1);
    await operator.http.request('POST', `/api/orders/${orderId}/refunds`, { reason: 'The fan asked' });
    const { page, errors } = await signedIn(fan, '/orders');
    const item = page.locator('li.order');
    await expect.poll(() => item.locator('.badge').textContent(), { timeout: 10_000 }).toBe('Refunded');
    expect(await item.locator('td[data-label="State"]').allTextContents()).toEqual(['Refunded']);
    expect(await item.locator('.refunded').textContent()).toMatch(/Refunded €\d/);
    expect(await axe(page)).toEqual([]);
    await shot(page, 'orders-refunded');
    expect(errors).toEqual([]);
  });
});
