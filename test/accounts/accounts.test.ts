import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/accounts/accounts.ts';
import { AccountError } from '../../src/accounts/errors.ts';
import { hashSessionToken } from '../../src/accounts/session-token.ts';
import { statusOf } from '../../src/gateway/status-codes.ts';
import type { Db } from '../../src/persistence/db.ts';
import { openDb } from '../../src/persistence/open-db.ts';
import { dropSchema, POSTGRES_URL, postgresAvailable, uniqueSchema } from '../support/services.ts';

// The Accounts class on both database adapters: embedded PGlite and a Postgres server.

const DAY = 24 * 60 * 60 * 1000;
const pgUp = await postgresAvailable();

interface Adapter {
  name: string;
  skip: boolean;
  open(): Promise<{ db: Db; cleanup(): Promise<void> }>;
}

const adapters: Adapter[] = [
  {
    name: 'PGlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'onsale-accounts-'));
      const db = await openDb({ dataDir: dir });
      return {
        db,
        async cleanup() {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'Postgres',
    skip: !pgUp,
    async open() {
      const schema = uniqueSchema('accounts');
      const db = await openDb({ databaseUrl: POSTGRES_URL, dataDir: '', schema });
      return {
        db,
        async cleanup() {
          await db.close();
          await dropSchema(schema);
        },
      };
    },
  },
];

let seq = 0;
const email = (tag: string) => `${tag}-${process.pid}-${++seq}@example.com`;

async function rejection(p: Promise<unknown>): Promise<AccountError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AccountError);
  return e as AccountError;
}

for (const adapter of adapters) {
  describe.skipIf(adapter.skip)(`Accounts on ${adapter.name}`, () => {
    let db: Db;
    let cleanup: () => Promise<void>;
    const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
    let accounts: Accounts;

    beforeAll(async () => {
      ({ db, cleanup } = await adapter.open());
      accounts = new Accounts(db, { now: () => clock.t, cacheTtlMs: 5_000 });
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('given a new email, when registering, then a fan with the lower-cased email and a hashed password exists', async () => {
      const raw = `  ${email('Mixed').toUpperCase()} `;
      const user = await accounts.register(raw, 'password-1');
      expect(user).toEqual({ id: expect.any(String), email: raw.trim().toLowerCase(), role: 'fan' });
      const { rows } = await db.query<{ password_hash: string }>(
        'SELECT password_hash FROM users WHERE id = $1',
        [user.id],
      );
      expect(rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(rows[0].password_hash).not.toContain('password-1');
    });

    it('given a taken email in any case, when registering again, then 409 EMAIL_TAKEN', async () => {
      const address = email('dup');
      await accounts.register(address, 'password-1');
      const e = await rejection(accounts.register(address.toUpperCase(), 'password-2'));
      expect([statusOf(e.code), e.code]).toEqual([409, 'EMAIL_TAKEN']);
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users WHERE email = $1',
        [address],
      );
      expect(rows[0].n).toBe(1);
    });

    it('given a bad email, a short or long password or an unknown role, when registering, then 400', async () => {
      expect((await rejection(accounts.register('not-an-email', 'password-1'))).code).toBe('INVALID_EMAIL');
      expect((await rejection(accounts.register(email('short'), 'seven77'))).code).toBe('INVALID_PASSWORD');
      expect((await rejection(accounts.register(email('long'), 'x'.repeat(201)))).code).toBe(
        'INVALID_PASSWORD',
      );
      const e = await rejection(accounts.register(email('role'), 'password-1', 'king' as never));
      expect([statusOf(e.code), e.code]).toEqual([400, 'INVALID_ROLE']);
      // 8 and 200 characters are both fine
      expect((await accounts.register(email('edge8'), '12345678')).role).toBe('fan');
      expect((await accounts.register(email('edge200'), 'y'.repeat(200))).role).toBe('fan');
    });

    it('given an account, when logging in, then a token that authenticates to it, stored only as its SHA-256', async () => {
      const address = email('login');
      const user = await accounts.register(address, 'password-1');
      const session = await accounts.login(address.toUpperCase(), 'password-1');
      expect(session.user).toEqual(user);
      expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.expiresAt.getTime()).toBe(clock.t + 30 * DAY);
      expect(await accounts.authenticate(session.token)).toEqual(user);
      const { rows } = await db.query<{ token_hash: string }>(
        'SELECT token_hash FROM sessions WHERE user_id = $1',
        [user.id],
      );
      expect(rows.map((r) => r.token_hash)).toEqual([hashSessionToken(session.token)]);
      expect(rows[0].token_hash).not.toContain(session.token);
    });

    it('given a wrong password or an unknown email, when logging in, then the same 401 INVALID_CREDENTIALS', async () => {
      const address = email('wrong');
      await accounts.register(address, 'password-1');
      const wrongPw = await rejection(accounts.login(address, 'password-2'));
      const noUser = await rejection(accounts.login(email('nobody'), 'password-1'));
      const badShape = await rejection(accounts.login('not an email', 'password-1'));
      for (const e of [wrongPw, noUser, badShape]) {
        expect({ status: statusOf(e.code), code: e.code, message: e.message }).toEqual({
          status: 401,
          code: 'INVALID_CREDENTIALS',
          message: wrongPw.message,
        });
      }
    });

    it('given garbage or unknown tokens, when authenticating, then null', async () => {
      expect(await accounts.authenticate('')).toBeNull();
      expect(await accounts.authenticate('short')).toBeNull();
      expect(await accounts.authenticate('A'.repeat(43))).toBeNull();
      expect(await accounts.authenticate(`${'A'.repeat(42)}!`)).toBeNull();
    });

    it('given a session, when logged out, then the token stops working at once despite the cache', async () => {
      const address = email('logout');
      await accounts.register(address, 'password-1');
      const { token, user } = await accounts.login(address, 'password-1');
      const other = await accounts.login(address, 'password-1');
      expect(await accounts.authenticate(token)).toEqual(user); // now cached
      await accounts.logout(token);
      expect(await accounts.authenticate(token)).toBeNull();
      expect(await accounts.authenticate(other.token)).toEqual(user); // other sessions stay
      await accounts.logout(token); // twice is harmless
      await accounts.logout('not-a-token');
    });

    it('caches authenticate answers for a few seconds, then asks the database again', async () => {
      const address = email('cache');
      await accounts.register(address, 'password-1');
      const { token, user } = await accounts.login(address, 'password-1');
      expect(await accounts.authenticate(token)).toEqual(user);
      // Removed behind the cache's back: still served from memory until the entry ages out.
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [hashSessionToken(token)]);
      clock.t += 4_999;
      expect(await accounts.authenticate(token)).toEqual(user);
      clock.t += 1;
      expect(await accounts.authenticate(token)).toBeNull();
    });

    it('given a session older than its lifetime, when authenticating, then null', async () => {
      const address = email('expiry');
      await accounts.register(address, 'password-1');
      const { token, user } = await accounts.login(address, 'password-1');
      clock.t += 30 * DAY - 1;
      expect(await accounts.authenticate(token)).toEqual(user);
      clock.t += 1; // exactly at expiry: the cached answer ends with the session
      expect(await accounts.authenticate(token)).toBeNull();
    });

    it('given a short session lifetime option, then sessions end after it', async () => {
      const short = new Accounts(db, { now: () => clock.t, sessionTtlMs: 60_000, cacheTtlMs: 0 });
      const address = email('short-ttl');
      await short.register(address, 'password-1');
      const { token, expiresAt } = await short.login(address, 'password-1');
      expect(expiresAt.getTime()).toBe(clock.t + 60_000);
      expect(await short.authenticate(token)).not.toBeNull();
      clock.t += 60_000;
      expect(await short.authenticate(token)).toBeNull();
    });

    it('given an admin changes a role, then the next authenticate sees the new role at once', async () => {
      const address = email('promote');
      const fan = await accounts.register(address, 'password-1');
      const { token } = await accounts.login(address, 'password-1');
      expect((await accounts.authenticate(token))?.role).toBe('fan'); // cached as a fan
      expect(await accounts.setRole(fan.id, 'operator')).toEqual({ ...fan, role: 'operator' });
      expect((await accounts.authenticate(token))?.role).toBe('operator');
      expect((await accounts.login(address, 'password-1')).user.role).toBe('operator');
    });

    it('given an unknown user or role, when setting a role, then 404 USER_NOT_FOUND / 400 INVALID_ROLE', async () => {
      const e = await rejection(accounts.setRole('no-such-user', 'operator'));
      expect([statusOf(e.code), e.code]).toEqual([404, 'USER_NOT_FOUND']);
      const fan = await accounts.register(email('badrole'), 'password-1');
      const r = await rejection(accounts.setRole(fan.id, 'root' as never));
      expect([statusOf(r.code), r.code]).toEqual([400, 'INVALID_ROLE']);
    });

    it('given ensureAdmin, then it creates an absent admin, and promotes an existing user keeping the password', async () => {
      const fresh = email('admin-new');
      const created = await accounts.ensureAdmin(fresh, 'admin-pass-1');
      expect(created).toEqual({
        created: true,
        user: { id: expect.any(String), email: fresh, role: 'admin' },
      });
      expect((await accounts.login(fresh, 'admin-pass-1')).user.role).toBe('admin');

      const existing = email('admin-old');
      const fan = await accounts.register(existing, 'original-pw');
      const promoted = await accounts.ensureAdmin(existing, 'different-pw');
      expect(promoted).toEqual({ created: false, user: { ...fan, role: 'admin' } });
      expect((await accounts.login(existing, 'original-pw')).user.role).toBe('admin');
      await expect(accounts.login(existing, 'different-pw')).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
      // Running it again (every restart) changes nothing.
      expect(await accounts.ensureAdmin(existing, 'different-pw')).toEqual(promoted);
    });

    it('given concurrent registrations of one email, then exactly one succeeds', async () => {
      const address = email('race');
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => accounts.register(address, 'password-1')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const codes = results.flatMap((r) =>
        r.status === 'rejected' ? [(r.reason as AccountError).code] : [],
      );
      expect(codes).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN']);
    });

    it('given a new login, then ended sessions of that user are tidied away', async () => {
      const address = email('tidy');
      const user = await accounts.register(address, 'password-1');
      await accounts.login(address, 'password-1');
      clock.t += 31 * DAY;
      await accounts.login(address, 'password-1');
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sessions WHERE user_id = $1',
        [user.id],
      );
      expect(rows[0].n).toBe(1);
    });
  });
}
