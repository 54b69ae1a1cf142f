import { randomUUID } from 'node:crypto';
import type { Db } from '../persistence/db.ts';
import type { Role, User } from '../user.ts';
import { emailSchema, passwordSchema, roleSchema } from './credentials.ts';
import { AccountError, INVALID_CREDENTIALS } from './errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { SessionCache } from './session-cache.ts';
import { hashSessionToken, newSessionToken } from './session-token.ts';

// Users, passwords and sessions over the Db port (tables `users` and `sessions`, migration 2).
// A session is a random bearer token; only its SHA-256 is stored. authenticate() is on every
// authenticated request's path, so its answers are cached in memory for a few seconds;
// logout and role changes drop the affected entries at once (in this process; other
// processes notice within the cache's lifetime).

export interface AccountsOptions {
  /** How long a session lasts from sign-in. Default 30 days. */
  sessionTtlMs?: number;
  /** How long authenticate() answers are reused. Default 5 s. */
  cacheTtlMs?: number;
  /** Most cached sessions. Default 10,000. */
  cacheMaxEntries?: number;
  now?: () => number;
}

export interface Session {
  token: string;
  user: User;
  expiresAt: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** 32 bytes in base64url: anything else cannot be a session and skips the database. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

interface UserRow {
  id: string;
  email: string;
  role: Role;
}

const toUser = (r: UserRow): User => ({ id: r.id, email: r.email, role: r.role });

export class Accounts {
  readonly sessionTtlMs: number;
  private readonly cache: SessionCache<User | null>;
  private readonly now: () => number;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly db: Db,
    opts: AccountsOptions = {},
  ) {
    this.sessionTtlMs = opts.sessionTtlMs ?? 30 * DAY_MS;
    this.now = opts.now ?? Date.now;
    this.cache = new SessionCache(opts.cacheTtlMs ?? 5_000, opts.cacheMaxEntries ?? 10_000, this.now);
  }

  /** Creates an account. Throws AccountError 400 for a bad email or password, 409 EMAIL_TAKEN. */
  async register(email: string, password: string, role: Role = 'fan'): Promise<User> {
    const address = validEmail(email);
    validPassword(password);
    const r = roleSchema.safeParse(role);
    if (!r.success) throw new AccountError('INVALID_ROLE', `unknown role "${String(role)}"`);
    const hash = await hashPassword(password);
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING
       RETURNING id, email, role`,
      [randomUUID(), address, hash, r.data],
    );
    if (rows.length === 0) {
      throw new AccountError('EMAIL_TAKEN', 'an account with this email already exists');
    }
    return toUser(rows[0]);
  }

  /**
   * Signs in. An unknown email and a wrong password get the same error, after the same
   * amount of hashing work, so the answer does not tell which accounts exist.
   */
  async login(email: string, password: string): Promise<Session> {
    const address = emailSchema.safeParse(email);
    const row =
      address.success && typeof password === 'string' && password.length <= 200
        ? (
            await this.db.query<UserRow & { password_hash: string }>(
              'SELECT id, email, role, password_hash FROM users WHERE email = $1',
              [address.data],
            )
          ).rows[0]
        : undefined;
    let ok = false;
    if (row) ok = await verifyPassword(password, row.password_hash);
    else await verifyPassword(String(password).slice(0, 200), await this.dummy());
    if (!row || !ok) throw new AccountError(INVALID_CREDENTIALS, 'wrong email or password');
    return this.startSession(toUser(row));
  }

  /** Opens a new session for a user already identified (after login or registration). */
  async startSession(user: User): Promise<Session> {
    const token = newSessionToken();
    const now = this.now();
    const expiresAt = new Date(now + this.sessionTtlMs);
    // Tidy this user's ended sessions while we are here.
    await this.db.query('DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2', [
      user.id,
      new Date(now).toISOString(),
    ]);
    await this.db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      hashSessionToken(token),
      user.id,
      expiresAt.toISOString(),
    ]);
    return { token, user, expiresAt };
  }

  /** Ends the session; the token stops working at once. Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    if (!TOKEN_SHAPE.test(token)) return;
    const key = hashSessionToken(token);
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [key]);
    // After the delete: a lookup still in flight may have read the row, and its entry goes too.
    this.cache.delete(key);
  }

  /** The user a session token belongs to, or null when it is unknown, ended or expired. */
  authenticate(token: string): Promise<User | null> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return Promise.resolve(null);
    const key = hashSessionToken(token);
    return this.cache.get(key, async () => {
      const { rows } = await this.db.query<UserRow & { expires_ms: number }>(
        `SELECT u.id, u.email, u.role, (extract(epoch FROM s.expires_at) * 1000)::float8 AS expires_ms
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2`,
        [key, new Date(this.now()).toISOString()],
      );
      const row = rows[0];
      if (!row) return null;
      this.cache.expireAt(key, row.expires_ms);
      return toUser(row);
    });
  }

  /** Changes a user's role (admins only, checked by the caller). 404 USER_NOT_FOUND. */
  async setRole(userId: string, role: Role): Promise<User> {
    const r = roleSchema.safeParse(role);
    if (!r.success) throw new AccountError('INVALID_ROLE', `unknown role "${String(role)}"`);
    const { rows } = await this.db.query<UserRow>(
      'UPDATE users SET role = $2 WHERE id = $1 RETURNING id, email, role',
      [userId, r.data],
    );
    if (rows.length === 0) throw new AccountError('USER_NOT_FOUND', 'no such user');
    await this.cache.deleteWhere((u) => u?.id === userId);
    return toUser(rows[0]);
  }

  async findByEmail(email: string): Promise<User | null> {
    const address = emailSchema.safeParse(email);
    if (!address.success) return null;
    const { rows } = await this.db.query<UserRow>('SELECT id, email, role FROM users WHERE email = $1', [
      address.data,
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /**
   * Makes sure `email` is an admin: creates the account with `password` when absent, or
   * promotes the existing one (its password is left as it is).
   */
  async ensureAdmin(email: string, password: string): Promise<{ user: User; created: boolean }> {
    try {
      return { user: await this.register(email, password, 'admin'), created: true };
    } catch (e) {
      if (!(e instanceof AccountError) || e.code !== 'EMAIL_TAKEN') throw e;
    }
    const { rows } = await this.db.query<UserRow>(
      `UPDATE users SET role = 'admin' WHERE email = $1 RETURNING id, email, role`,
      [validEmail(email)],
    );
    if (rows.length === 0) throw new Error(`admin account ${email} vanished while being promoted`);
    await this.cache.deleteWhere((u) => u?.id === rows[0].id);
    return { user: toUser(rows[0]), created: false };
  }

  /** A hash to verify against when the email is unknown, so both paths cost the same. */
  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(newSessionToken());
    return this.dummyHash;
  }
}

function validEmail(email: string): string {
  const r = emailSchema.safeParse(email);
  if (!r.success) throw new AccountError('INVALID_EMAIL', 'that is not a valid email address');
  return r.data;
}

function validPassword(password: string): void {
  const r = passwordSchema.safeParse(password);
  if (!r.success)
    throw new AccountError('INVALID_PASSWORD', r.error.issues[0]?.message ?? 'invalid password');
}
