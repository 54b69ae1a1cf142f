import { afterAll, beforeAll, describe } from 'vitest';
import { ADAPTERS, type SuiteContext } from '../persistence/adapters.ts';
import { outboxSuite } from './outbox.suite.ts';

// src/notifications on both database adapters, embedded PGlite and a Postgres server (in a
// schema of its own; skipped with a notice when the server is absent, a failure when
// ONSALE_REQUIRE_SERVICES=1): one migrated database per adapter for the file.

for (const adapter of ADAPTERS) {
  describe.skipIf(adapter.skip)(`notifications on ${adapter.name}`, () => {
    const ctx = { adapter } as SuiteContext;
    beforeAll(async () => {
      ctx.store = adapter.create('mail');
      ctx.db = await ctx.store.openMigrated();
    });
    afterAll(async () => {
      await ctx.store?.dispose();
    });
    outboxSuite(ctx);
  });
}
