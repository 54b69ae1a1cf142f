import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core (which never downloads a browser of its own).

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../../test-results/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ContextOptions {
  /** Signed in as this session (the app's localStorage entry, set before any page runs). */
  session?: { token: string; user: { id: string; email: string; role: string } };
  /** A phone-sized window instead of a laptop's. */
  phone?: boolean;
}

/**
 * A fresh context (its own storage and cookies) on the server at `baseURL`. Browser console
 * errors and failed page scripts are collected in `errors` for the tests to assert on.
 */
export async function openContext(
  browser: Browser,
  baseURL: string,
  opts: ContextOptions = {},
): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    isMobile: opts.phone ?? false,
    hasTouch: opts.phone ?? false,
    // The app keeps its session in localStorage (client/web/lib/session.ts).
    storageState: {
      cookies: [],
      origins: opts.session
        ? [
            {
              origin: baseURL,
              localStorage: [{ name: 'onsale.session', value: JSON.stringify(opts.session) }],
            },
          ]
        : [],
    },
  });
  const errors: string[] = [];
  context.on('page', (page) => watchErrors(page, errors));
  return { context, errors };
}

function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}

/** Saves a full-page screenshot as test-results/<name>.png; returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
