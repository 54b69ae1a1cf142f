// The app's routes as data: which page a path shows, with its parameters. Pure (no DOM), so
// the server's list of app paths and the router agree, and both are tested without a browser.

export type Route =
  | { page: 'home' }
  | { page: 'event'; id: string }
  | { page: 'queue'; id: string }
  | { page: 'checkout' }
  | { page: 'tickets' }
  | { page: 'orders' }
  | { page: 'signin' }
  | { page: 'console'; path: string }
  | { page: 'scan' }
  | { page: 'not-found' };

const FIXED: Record<string, Route> = {
  '/': { page: 'home' },
  '/checkout': { page: 'checkout' },
  '/tickets': { page: 'tickets' },
  '/orders': { page: 'orders' },
  '/signin': { page: 'signin' },
  '/scan': { page: 'scan' },
};

/** The route for a pathname (no query, no hash); a trailing slash is ignored. */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const fixed = FIXED[path];
  if (fixed) return fixed;
  if (path === '/console' || path.startsWith('/console/')) return { page: 'console', path };
  const m = /^\/(events|queue)\/([^/]+)$/.exec(path);
  if (m) {
    let id: string;
    try {
      id = decodeURIComponent(m[2]);
    } catch {
      return { page: 'not-found' }; // a malformed escape is no event id
    }
    return m[1] === 'events' ? { page: 'event', id } : { page: 'queue', id };
  }
  return { page: 'not-found' };
}

/** Whether the server should answer this path with the app (200) rather than its 404. */
export function isAppPath(pathname: string): boolean {
  return matchRoute(pathname).page !== 'not-found';
}

/** Paths the app links to, encoded: `href.event('a b')` is `/events/a%20b`. */
export const href = {
  event: (id: string) => `/events/${encodeURIComponent(id)}`,
  queue: (id: string) => `/queue/${encodeURIComponent(id)}`,
};
