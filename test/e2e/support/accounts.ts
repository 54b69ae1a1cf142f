import { createUser, type Role } from '../../../client/sdk/accounts.ts';
import { OnsaleHttp } from '../../../client/sdk/index.ts';
import { ADMIN } from './server.ts';

// Accounts for the browser tests, made through the SDK: fans register themselves; the admin
// (from ONSALE_ADMIN_EMAIL) creates operators and scanners.

export interface Account {
  token: string;
  user: { id: string; email: string; role: string };
  password: string;
  /** The SDK signed in as this account. */
  http: OnsaleHttp;
}

let n = 0;
const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${n++}@e2e.test`;

export async function registerFan(url: string, email = unique('fan')): Promise<Account> {
  const http = new OnsaleHttp(url);
  const password = 'fan-password-1';
  const r = await http.register(email, password);
  return { token: r.token, user: r.user, password, http };
}

export async function signInAdmin(url: string): Promise<Account> {
  const http = new OnsaleHttp(url);
  const r = await http.login(ADMIN.email, ADMIN.password);
  return { token: r.token, user: r.user, password: ADMIN.password, http };
}

/** An operator or scanner account, made by the admin, then signed in. */
export async function createStaff(url: string, role: Exclude<Role, 'fan'>): Promise<Account> {
  const admin = await signInAdmin(url);
  const email = unique(role);
  const password = `${role}-password-1`;
  await createUser(admin.http, email, password, role);
  const http = new OnsaleHttp(url);
  const r = await http.login(email, password);
  return { token: r.token, user: r.user, password, http };
}
