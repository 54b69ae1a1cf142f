import { z } from 'zod';
import { type Reply, type Router, sessionCookie } from '../gateway/router.ts';
import type { Accounts, Session } from './accounts.ts';
import { emailSchema, passwordSchema, roleSchema } from './credentials.ts';

// Sign-up, sign-in, sign-out and "who am I" for everyone; account creation and role changes
// for admins. Sessions travel as a bearer token or the session cookie, both set here.

// Strict, as docs/openapi.yaml says (additionalProperties: false): a misspelt field is a 400,
// not silently dropped.
const registerBody = z.object({ email: emailSchema, password: passwordSchema }).strict();
// Sign-in checks only shapes: whatever is wrong with the credentials gets the same 401.
const loginBody = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) })
  .strict();
const createUserBody = z.object({ email: emailSchema, password: passwordSchema, role: roleSchema }).strict();
const roleBody = z.object({ role: roleSchema }).strict();

function signedIn(accounts: Accounts, session: Session, status: number): Reply {
  return {
    status,
    headers: {
      'set-cookie': sessionCookie(session.token, Math.floor(accounts.sessionTtlMs / 1000)),
      'cache-control': 'no-store',
    },
    body: { user: session.user, token: session.token },
  };
}

export function accountRoutes(router: Router, accounts: Accounts): void {
  router.post('/api/accounts/register', { body: registerBody, write: true }, async (ctx) => {
    const user = await accounts.register(ctx.body.email, ctx.body.password);
    return signedIn(accounts, await accounts.startSession(user), 201);
  });

  router.post('/api/accounts/login', { body: loginBody, write: true }, async (ctx) =>
    signedIn(accounts, await accounts.login(ctx.body.email, ctx.body.password), 200),
  );

  router.post('/api/accounts/logout', { auth: 'user' }, async (ctx) => {
    await accounts.logout(ctx.token!);
    return { status: 204, headers: { 'set-cookie': sessionCookie('', 0) } };
  });

  router.get('/api/accounts/me', { auth: 'user' }, (ctx) => ({
    headers: { 'cache-control': 'no-store' },
    body: { user: ctx.user },
  }));

  // Operators and scanners get their accounts from an admin.
  router.post('/api/admin/users', { auth: ['admin'], write: true, body: createUserBody }, async (ctx) => ({
    status: 201,
    body: { user: await accounts.register(ctx.body.email, ctx.body.password, ctx.body.role) },
  }));

  router.put('/api/admin/users/:id/role', { auth: ['admin'], write: true, body: roleBody }, async (ctx) => ({
    body: { user: await accounts.setRole(ctx.params.id, ctx.body.role) },
  }));
}
