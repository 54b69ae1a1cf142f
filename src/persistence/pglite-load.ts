// A module-loader hook (node:module register) that loads PGlite's own files as Node would,
// without tsx. tsx rewrites every dynamic import() of a JavaScript module and gives it a
// fine-grained source map; for PGlite's 1.2 MB of bundled JavaScript that cost ~200 ms of
// start-up and ~35 MB of resident memory. PGlite is plain ESM ("type": "module") with
// no TypeScript: there is nothing for tsx to do. main.ts registers this before the
// database module loads; anything else (tests, benches) simply loads PGlite through tsx.
import { readFile } from 'node:fs/promises';
import type { LoadHook } from 'node:module';
import { fileURLToPath } from 'node:url';

const PGLITE = '/node_modules/@electric-sql/pglite/dist/';

export const load: LoadHook = async (url, context, next) => {
  if (url.startsWith('file:') && url.includes(PGLITE) && url.endsWith('.js') && !url.includes('?')) {
    return { format: 'module', source: await readFile(fileURLToPath(url)), shortCircuit: true };
  }
  return next(url, context);
};
