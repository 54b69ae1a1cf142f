import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/persistence/db.ts';
import { openPgliteDb } from '../../src/persistence/pglite-db.ts';

// The PGlite adapter sends long strings (text, json) and bytea parameters as their bytes in
// binary format, not through PGlite's per-character text path: what arrives must be exactly
// what was sent, at the top level, inside arrays (which keep the text path) and in transactions.

const dir = mkdtempSync(join(tmpdir(), 'onsale-pglite-params-'));
let db: Db;

beforeAll(async () => {
  db = await openPgliteDb(dir);
  await db.exec('CREATE TABLE p (t text, j json, b bytea, ta text[], ba bytea[])');
}, 120_000);

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Multi-byte characters, a surrogate pair, quotes and backslashes, past the 16 K threshold.
const long = `${'é'.repeat(9000)}😀"quoted" \\ back${'x'.repeat(20_000)}\n${'日本'.repeat(3000)}`;
const json = JSON.stringify({ name: long, seats: Array.from({ length: 2000 }, (_, i) => ({ id: `s${i}` })) });
const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256);

describe('PGlite parameters', () => {
  it('given long text and json, bytea and arrays of them, then they come back exactly', async () => {
    await db.query('INSERT INTO p VALUES ($1, $2::json, $3, $4, $5)', [
      long,
      json,
      bytes,
      ['short', long],
      [Uint8Array.from([0, 1, 255]), new Uint8Array(0)],
    ]);
    const { rows } = await db.query<{ t: string; j: string; b: Uint8Array; ta: string[]; ba: Uint8Array[] }>(
      'SELECT t, j::text AS j, b, ta, ba FROM p',
    );
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect(r.t).toBe(long);
    expect(r.j).toBe(json);
    expect(Buffer.from(r.b).equals(Buffer.from(bytes))).toBe(true);
    expect(r.ta).toEqual(['short', long]);
    expect(r.ba.map((x) => [...x])).toEqual([[0, 1, 255], []]);
    const { rows: sizes } = await db.query<{ chars: number; octets: number }>(
      'SELECT length($1) AS chars, octet_length($1) AS octets',
      [long],
    );
    expect(sizes[0]).toEqual({ chars: [...long].length, octets: Buffer.byteLength(long) });
  });

  it('given a json object and a short string, then they take the usual path', async () => {
    const { rows } = await db.query<{ j: string; t: string }>('SELECT $1::json::text AS j, $2::text AS t', [
      { a: 1, b: [true, null] },
      'ok',
    ]);
    expect(rows[0]).toEqual({ j: '{"a":1,"b":[true,null]}', t: 'ok' });
  });

  it('given the same parameters in a transaction, then the same comes back, and a rollback keeps nothing', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO p (t, b) VALUES ($1, $2)', [long, bytes]);
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM p WHERE t = $1 AND b = $2',
        [long, bytes],
      );
      expect(rows[0].n).toBe(2);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO p (t) VALUES ($1)', [long]);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM p');
    expect(rows[0].n).toBe(2);
  });

  it('given something that is not bytes for a bytea, then the query is refused', async () => {
    await expect(db.query('SELECT $1::bytea', ['not bytes'])).rejects.toThrow(/bytea/);
  });
});
