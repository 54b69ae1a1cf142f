import { describe, expect, it } from 'vitest';
import { href, isAppPath, matchRoute } from '../../client/web/lib/routes.ts';

describe('the web app routes', () => {
  it.each([
    ['/', { page: 'home' }],
    ['/events/demo-stadium', { page: 'event', id: 'demo-stadium' }],
    ['/events/a%20b', { page: 'event', id: 'a b' }],
    ['/queue/demo-stadium/', { page: 'queue', id: 'demo-stadium' }],
    ['/checkout', { page: 'checkout' }],
    ['/tickets', { page: 'tickets' }],
    ['/orders', { page: 'orders' }],
    ['/signin', { page: 'signin' }],
    ['/console', { page: 'console', path: '/console' }],
    ['/console/events/e1/sales', { page: 'console', path: '/console/events/e1/sales' }],
    ['/scan', { page: 'scan' }],
  ])('given %s, then %o', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
    expect(isAppPath(path)).toBe(true);
  });

  it.each(['/nope', '/events', '/events/a/b', '/consoles', '/events/%E0%A4%A', '/app.js'])(
    'given %s, then the not-found page',
    (path) => {
      expect(matchRoute(path)).toEqual({ page: 'not-found' });
      expect(isAppPath(path)).toBe(false);
    },
  );

  it('given an id with reserved characters, then href encodes it and matchRoute reads it back', () => {
    const id = 'a/b c?d';
    expect(matchRoute(href.event(id))).toEqual({ page: 'event', id });
    expect(matchRoute(href.queue(id))).toEqual({ page: 'queue', id });
  });
});
