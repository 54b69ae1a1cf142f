import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// A new PGlite data directory starts as initdb's output, which costs PGlite about 5 s of CPU
// in WASM (a second Postgres instance, the bootstrap, the post-bootstrap SQL): more than
// everything else a first start does. That output depends only on the PGlite build and the
// settings given to initdb, so it can be made once, at install time
// (`node --import tsx src/persistence/install.ts`), and a first start copies it (a fraction
// of a second). Without the template, PGlite runs initdb as before. The template is
// a cluster only (no schema: migrations run at first start as always).

/** Written before a copy into a data directory and removed after its last file (PG_VERSION). */
const COPYING = '.onsale-copying-template';

/**
 * Where the template for the installed PGlite and these initdb settings lives:
 * node_modules/.cache beside PGlite's package (whose version is part of the name).
 * Throws if PGlite's package cannot be found.
 */
export function templatePath(initdbArgs: readonly string[]): string {
  // …/node_modules/@electric-sql/pglite/dist/index.cjs
  const root = dirname(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')));
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
  const key = createHash('sha256')
    .update(version)
    .update(JSON.stringify(initdbArgs))
    .digest('hex')
    .slice(0, 16);
  return join(root, '..', '..', '.cache', `onsale-cluster-${key}`);
}

/** Is there a cluster in this directory (PGlite's own test: initdb's PG_VERSION)? */
export const hasCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/**
 * Puts a copy of the template into `dataDir` when there is a template and the directory is
 * missing or empty (or holds a copy that was interrupted); PG_VERSION is copied last, so a
 * directory never looks like a cluster before it is whole. Returns whether it copied.
 */
export function copyTemplate(template: string, dataDir: string): boolean {
  if (hasCluster(dataDir)) {
    rmSync(join(dataDir, COPYING), { force: true }); // a copy stopped just after its last file
    return false;
  }
  if (!hasCluster(template)) return false;
  mkdirSync(dataDir, { recursive: true });
  const present = readdirSync(dataDir);
  if (present.includes(COPYING)) {
    for (const name of present) rmSync(join(dataDir, name), { recursive: true, force: true });
  } else if (present.length > 0) return false; // not ours to fill: PGlite decides, as before
  writeFileSync(join(dataDir, COPYING), '');
  for (const name of readdirSync(template)) {
    if (name !== 'PG_VERSION') cpSync(join(template, name), join(dataDir, name), { recursive: true });
  }
  copyFileSync(join(template, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
  rmSync(join(dataDir, COPYING));
  return true;
}

/**
 * Makes the template by running initdb through PGlite in a directory of its own, then
 * renaming it into place (whole or not at all). Does nothing when it is there already.
 */
export async function buildTemplate(
  template: string,
  initdbArgs: readonly string[],
  startArgs: readonly string[],
): Promise<string> {
  if (hasCluster(template)) return template;
  mkdirSync(dirname(template), { recursive: true });
  const building = mkdtempSync(`${template}.building-`);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create(building, {
      initDbStartParams: [...initdbArgs],
      startParams: [...PGlite.defaultStartParams, ...startArgs],
    });
    await pg.close();
    if (!hasCluster(building)) throw new Error(`initdb left no cluster in ${building}`);
    chmodSync(building, 0o755); // mkdtemp's 0700 would keep other users (the server's) out
    renameSync(building, template);
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    if (!hasCluster(template)) throw e; // else another install made it meanwhile
  }
  return template;
}
