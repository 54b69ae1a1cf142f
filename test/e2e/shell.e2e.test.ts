/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFan } from './support/accounts.ts';
import { axe } from './support/axe.ts';
import { launchBrowser, openContext, shot } from './support/browser.ts';
import { type E2eServer, startE2eServer } from './support/server.ts';

// The app's shell in a real browser: routing, the not-found page, signing in and out.

let server: E2eServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the app shell', () => {
  it('given an unknown path, then HTTP 404 and the not-found page, accessible, with a way home', async () => {
    const { context, errors } = await openContext(browser, server.url);
    const page = await context.newPage();
    const res = await page.goto('/no/such/page');
    expect(res?.status()).toBe(404);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.title()).toBe('Page not found · onsale');
    expect(await page.locator('main').textContent()).toContain('/no/such/page');
    expect(await axe(page)).toEqual([]);
    await shot(page, 'not-found');
    await page.getByRole('link', { name: 'Find events' }).click();
    await page.waitForURL(`${server.url}/`);
    // The one failed load is the document's own 404 (the favicon and assets load).
    expect(errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
    await context.close();
  });

  it('given a fan who registers on /signin, then they are signed in, the header says so, and signing out forgets it', async () => {
    const { context, errors } = await openContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/signin?next=/orders');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create an account' }).click();
    const email = `new-${Date.now()}@e2e.test`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The browser's own check stops a short password before the server sees it.
    expect(page.url()).toContain('/signin');
    await page.getByLabel('Password').fill('a-long-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${server.url}/orders`);
    await expect.poll(() => page.locator('.who').textContent()).toBe(email);
    await page.reload();
    await expect.poll(() => page.locator('.who').textContent()).toBe(email);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('onsale.session'))).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given only a keyboard, then a fan signs in: the skip link, the header link, the fields and Enter', async () => {
    const fan = await registerFan(server.url);
    const { context, errors } = await openContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/tickets');
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    // Through the header to a Sign in link (the header's or the page's), then the form.
    for (let i = 0; i < 12 && (await focused()) !== 'Sign in'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/signin\?next=/);
    // After an in-app move the focus is on the page, so Tab goes to its first field.
    for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement?.id)) !== 'email'; i++)
      await page.keyboard.press('Tab');
    await page.keyboard.type(fan.user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(fan.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/tickets`);
    await expect.poll(() => page.locator('.who').textContent()).toBe(fan.user.email);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a wrong password, then a clear error on the form and still signed out', async () => {
    const fan = await registerFan(server.url);
    const { context } = await openContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/signin');
    await page.getByLabel('Email').fill(fan.user.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/password|credentials/i);
    expect(page.url()).toContain('/signin');
    await context.close();
  });
});
