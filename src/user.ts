// Who is asking: the signed-in account as every capability sees it. Accounts
// (src/accounts) makes users; everything else only reads them.

export const ROLES = ['fan', 'operator', 'admin', 'scanner'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  role: Role;
}

/** The box office: runs venues, events, sales and the waiting room. */
export const OPERATORS: Role[] = ['operator', 'admin'];

export function isOperator(user: User | null): boolean {
  return user !== null && OPERATORS.includes(user.role);
}
