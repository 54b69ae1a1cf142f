// What `npm install` can prepare so that `npm start` has less to do:
//   node --import tsx src/persistence/install.ts
// makes the PGlite cluster template (pglite-template.ts) a first start copies instead of
// running initdb. Safe to run again (it keeps a template already there) and to skip.
import { buildPgliteTemplate } from './pglite-db.ts';

const started = performance.now();
const dir = await buildPgliteTemplate();
console.log(
  `onsale: PGlite cluster template ready in ${dir} (${Math.round(performance.now() - started)} ms)`,
);
