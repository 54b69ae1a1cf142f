/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// axe-core injected into the page (its own axe.min.js; @axe-core/playwright needs Node 22).

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending nodes. */
  targets: string[];
}

/** The page's serious and critical accessibility violations (WCAG 2.x A and AA rules). */
export async function axe(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the script just injected
    const axeApi = (globalThis as any).axe;
    const r = await axeApi.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return (
      r.violations as {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[] }[];
      }[]
    )
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}
