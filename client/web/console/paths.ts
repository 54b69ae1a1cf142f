// The console's own routes under /console (the app's router hands it every /console path).
// Pure: the links and the route switch agree, and tests need no browser.

export type ConsoleView =
  | { view: 'events' }
  | { view: 'venues' }
  | { view: 'event'; id: string }
  | { view: 'dashboard'; id: string }
  | { view: 'box-office'; id: string }
  | { view: 'not-found' };

const enc = encodeURIComponent;

export const consoleHref = {
  events: '/console',
  venues: '/console/venues',
  event: (id: string) => `/console/events/${enc(id)}`,
  dashboard: (id: string) => `/console/events/${enc(id)}/dashboard`,
  boxOffice: (id: string) => `/console/events/${enc(id)}/box-office`,
};

export function consoleView(path: string): ConsoleView {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/console' || p === '/console/events') return { view: 'events' };
  if (p === '/console/venues') return { view: 'venues' };
  const m = /^\/console\/events\/([^/]+)(?:\/(dashboard|box-office))?$/.exec(p);
  if (!m) return { view: 'not-found' };
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return { view: 'not-found' };
  }
  if (m[2] === 'dashboard') return { view: 'dashboard', id };
  if (m[2] === 'box-office') return { view: 'box-office', id };
  return { view: 'event', id };
}
