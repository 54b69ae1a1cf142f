import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/openapi.yaml must document exactly the HTTP routes the code registers: a route added
// without its documentation (or documentation left behind by a removed route) fails here.

const root = new URL('../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `/api/holds/:id` and `/api/holds/{holdId}` both become `/api/holds/{}`. */
const normalise = (path: string) => path.replace(/:[A-Za-z]+/g, '{}').replace(/\{[A-Za-z]+\}/g, '{}');

function registered(): Set<string> {
  const found = new Set<string>();
  const call = /\b(?:router|app)\.(get|post|put|delete|del)(?:<[^>]*>)?\(\s*'([^']+)'/g;
  for (const f of files(join(root, 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(call)) {
      const path = m[2];
      // The 404 fallback and the web app (its files and pages), and the socket (docs/protocol.md).
      if (['/*', '/ws'].includes(path)) continue;
      const method = m[1] === 'del' ? 'delete' : m[1];
      found.add(`${method} ${normalise(path)}`);
    }
  }
  return found;
}

function documented(): Set<string> {
  const found = new Set<string>();
  let path: string | null = null;
  for (const line of readFileSync(join(root, 'docs/openapi.yaml'), 'utf8').split('\n')) {
    const p = /^ {2}(\/[^:]*):\s*$/.exec(line);
    if (p) {
      path = normalise(p[1]);
      continue;
    }
    if (/^\S/.test(line)) path = null;
    const m = /^ {4}(get|post|put|delete|patch):\s*$/.exec(line);
    if (path && m) found.add(`${m[1]} ${path}`);
  }
  return found;
}

describe('docs/openapi.yaml', () => {
  it('given the routes registered in src/, then each is documented and nothing else is', () => {
    const code = registered();
    const docs = documented();
    expect(code.size).toBeGreaterThan(10);
    expect([...code].filter((r) => !docs.has(r)).sort(), 'routes missing from docs/openapi.yaml').toEqual([]);
    expect([...docs].filter((r) => !code.has(r)).sort(), 'documented routes the code does not have').toEqual(
      [],
    );
  });
});
