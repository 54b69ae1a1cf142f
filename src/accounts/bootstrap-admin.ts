import type { Logger } from 'pino';
import type { Accounts } from './accounts.ts';

// The first admin comes from the environment (ONSALE_ADMIN_EMAIL + ONSALE_ADMIN_PASSWORD):
// created at start-up when absent, promoted when it exists. Admins then make operators and
// scanners through the API.

export async function bootstrapAdmin(
  accounts: Accounts,
  email: string | undefined,
  password: string | undefined,
  log: Logger,
): Promise<void> {
  if (!email || !password) return;
  const { user, created } = await accounts.ensureAdmin(email, password);
  log.info({ userId: user.id, email: user.email, created }, created ? 'admin created' : 'admin ensured');
}
