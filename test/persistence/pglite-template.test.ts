import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../src/persistence/migrate.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { PGLITE_SETTINGS } from '../../src/persistence/pglite-db.ts';
import {
  buildTemplate,
  copyTemplate,
  hasCluster,
  templatePath,
} from '../../src/persistence/pglite-template.ts';

// The PGlite cluster template (src/persistence/pglite-template.ts): initdb's output made once
// (at install time) and copied into a new data directory instead of running initdb there.
// Built here in a directory of the test's own, so the real one in node_modules/.cache is
// neither needed nor touched.

const root = mkdtempSync(join(tmpdir(), 'onsale-cluster-template-'));
const template = join(root, 'template');
const MARKER = '.onsale-copying-template';

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the PGlite cluster template', () => {
  it('given none, then building one runs initdb and publishes it whole; building again keeps it', async () => {
    expect(copyTemplate(template, join(root, 'early'))).toBe(false);
    await buildTemplate(template, PGLITE_SETTINGS, PGLITE_SETTINGS);
    expect(hasCluster(template)).toBe(true);
    expect(readdirSync(root)).toEqual(['template']); // nothing left of the build
    const made = statSync(join(template, 'PG_VERSION')).mtimeMs;
    await buildTemplate(template, PGLITE_SETTINGS, PGLITE_SETTINGS);
    expect(statSync(join(template, 'PG_VERSION')).mtimeMs).toBe(made);
  }, 120_000);

  it('given a missing data directory, then the copy opens as a cluster, is migrated and runs with the settings', async () => {
    const dir = join(root, 'missing');
    expect(copyTemplate(template, dir)).toBe(true);
    expect(hasCluster(dir)).toBe(true);
    expect(existsSync(join(dir, MARKER))).toBe(false);
    const db = await openDb({ dataDir: dir });
    try {
      const { rows } = await db.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations');
      expect(rows[0].v).toBe(LATEST_VERSION);
      expect((await db.query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
    // A cluster is never copied over.
    expect(copyTemplate(template, dir)).toBe(false);
  });

  it('given an empty directory, then it is filled; given other files, then it is left alone', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(copyTemplate(template, empty)).toBe(true);
    expect(hasCluster(empty)).toBe(true);
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    expect(copyTemplate(template, other)).toBe(false);
    expect(readdirSync(other)).toEqual(['notes.txt']);
  });

  it('given a copy stopped halfway, then it is redone; stopped after its last file, then only the marker goes', () => {
    const cut = join(root, 'cut');
    mkdirSync(join(cut, 'base'), { recursive: true });
    writeFileSync(join(cut, MARKER), '');
    writeFileSync(join(cut, 'base', 'half-written'), '');
    expect(copyTemplate(template, cut)).toBe(true);
    expect(hasCluster(cut)).toBe(true);
    expect(existsSync(join(cut, 'base', 'half-written'))).toBe(false);
    expect(readdirSync(cut).sort()).toEqual(readdirSync(template).sort());

    writeFileSync(join(cut, MARKER), '');
    expect(copyTemplate(template, cut)).toBe(false);
    expect(existsSync(join(cut, MARKER))).toBe(false);
  });

  it('given other initdb settings, then the template is another one, in node_modules/.cache', () => {
    const path = templatePath(PGLITE_SETTINGS);
    expect(path).toMatch(/node_modules\/\.cache\/onsale-cluster-[0-9a-f]{16}$/);
    expect(templatePath(['-c', 'shared_buffers=32MB'])).not.toBe(path);
    expect(templatePath([...PGLITE_SETTINGS])).toBe(path);
  });
});
