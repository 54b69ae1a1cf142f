import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMA } from '../../src/domain/events.ts';
import { decodeEntries, encodeEntries } from '../../src/persistence/journal.ts';
import { migrate } from '../../src/persistence/migrate.ts';
import { ADAPTERS, type SuiteContext } from './adapters.ts';
import { dbSuite } from './db.suite.ts';
import { entries, journalSuite } from './journal.suite.ts';
import { recoverySuite } from './recovery.suite.ts';

// src/persistence on both adapters, embedded PGlite and a Postgres server, with the same
// suites: the Db port and migrations (each test on an emptied database), then the journal,
// the snapshots and event actors recovering from them (migrated once; each test on an event
// of its own). One database per adapter for the whole file: a fresh PGlite takes seconds.

describe('encodeEntries / decodeEntries', () => {
  it('round-trip entries, leaving the key and the asker absent where there were none', () => {
    const original = entries(1, 15);
    const decoded = decodeEntries(EVENT_SCHEMA, encodeEntries(original));
    expect(decoded).toStrictEqual(original);
    expect(decoded.filter((e) => 'key' in e).map((e) => e.seq)).toEqual([3, 6, 9, 12, 15]);
    expect(decoded.filter((e) => 'by' in e).map((e) => e.seq)).toEqual([5, 10, 15]);
    expect(decodeEntries(EVENT_SCHEMA, encodeEntries([]))).toEqual([]);
  });
});

for (const adapter of ADAPTERS) {
  describe.skipIf(adapter.skip)(`persistence on ${adapter.name}`, () => {
    const ctx = { adapter } as SuiteContext;
    beforeAll(async () => {
      ctx.store = adapter.create('persist');
      ctx.db = await ctx.store.open();
    });
    afterAll(async () => {
      await ctx.store?.dispose();
    });

    dbSuite(ctx);

    describe('event store', () => {
      beforeAll(async () => {
        await ctx.store.wipe(ctx.db);
        await migrate(ctx.db);
      });
      journalSuite(ctx);
      recoverySuite(ctx);
    });
  });
}
