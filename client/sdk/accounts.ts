// Accounts: who is signed in, and signing out (register and login live on OnsaleHttp itself).
import type { OnsaleHttp } from './http.ts';

export type Role = 'fan' | 'operator' | 'scanner' | 'admin';

export interface User {
  id: string;
  email: string;
  role: Role;
}

/** The signed-in user; 401 UNAUTHENTICATED when the token is missing, expired or revoked. */
export async function me(http: OnsaleHttp): Promise<User> {
  return (await http.request<{ user: User }>('GET', '/api/accounts/me')).user;
}

/** Ends the session on the server: the token stops working at once. */
export async function logout(http: OnsaleHttp): Promise<void> {
  await http.request('POST', '/api/accounts/logout');
  http.token = null;
}

/** Makes an account with any role (admins only). */
export async function createUser(
  http: OnsaleHttp,
  email: string,
  password: string,
  role: Role,
): Promise<User> {
  return (await http.request<{ user: User }>('POST', '/api/admin/users', { email, password, role })).user;
}
