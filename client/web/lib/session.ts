// The signed-in session, shared by every page: the token (kept in localStorage so a reload
// stays signed in), the user and their role. Pages read it with useSession() and change it
// only through signIn/signOut, so the header, the API client and the socket stay in step.
import { useEffect, useState } from 'preact/hooks';
import type { Role, User } from '../../sdk/accounts.ts';

const KEY = 'onsale.session';

export interface Session {
  token: string;
  user: User;
}

let current: Session | null = load();
const listeners = new Set<(s: Session | null) => void>();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null; // storage disabled or a damaged entry: start signed out
  }
}

/** The session now (null when signed out). */
export function getSession(): Session | null {
  return current;
}

/** Stores a new session (after register or login) and tells every subscriber. */
export function setSession(s: Session | null): void {
  current = s;
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch {}
  for (const l of listeners) l(s);
}

/** Calls `fn` on every change; returns the unsubscribe. */
export function onSessionChange(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The session as Preact state: re-renders the component when it changes. */
export function useSession(): Session | null {
  const [s, set] = useState(current);
  useEffect(() => onSessionChange(set), []);
  return s;
}

/**
 * Whether the user may act as one of `roles`. Admins may do everything operators may;
 * operators may scan (the server's role rules say the same).
 */
export function hasRole(session: Session | null, ...roles: Role[]): boolean {
  if (!session) return false;
  const r = session.user.role;
  if (roles.includes(r)) return true;
  if (r === 'admin') return roles.includes('operator') || roles.includes('scanner');
  if (r === 'operator') return roles.includes('scanner');
  return false;
}
