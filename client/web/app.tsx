// The app: the shared layout around the page the current path names (lib/routes.ts).
import { useEffect, useRef } from 'preact/hooks';
import { me } from '../sdk/accounts.ts';
import { ApiError } from '../sdk/index.ts';
import { ConsoleRoutes } from './console/ConsoleRoutes.tsx';
import { Layout } from './layout/Layout.tsx';
import { http } from './lib/api.ts';
import { useLocation } from './lib/navigation.tsx';
import { matchRoute, type Route } from './lib/routes.ts';
import { getSession, setSession } from './lib/session.ts';
import { CheckoutPage } from './pages/checkout/CheckoutPage.tsx';
import { EventPage } from './pages/event/EventPage.tsx';
import { HomePage } from './pages/home/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OrdersPage } from './pages/orders/OrdersPage.tsx';
import { QueuePage } from './pages/queue/QueuePage.tsx';
import { SignInPage } from './pages/signin/SignInPage.tsx';
import { TicketsPage } from './pages/tickets/TicketsPage.tsx';
import { ScanPage } from './scan/ScanPage.tsx';

const TITLES: Record<Route['page'], string> = {
  home: 'Find events',
  event: 'Event',
  queue: 'Waiting room',
  checkout: 'Checkout',
  tickets: 'My tickets',
  orders: 'My orders',
  signin: 'Sign in',
  console: 'Console',
  scan: 'Scan tickets',
  'not-found': 'Page not found',
};

function page(route: Route, path: string) {
  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'event':
      return <EventPage id={route.id} />;
    case 'queue':
      return <QueuePage id={route.id} />;
    case 'checkout':
      return <CheckoutPage />;
    case 'tickets':
      return <TicketsPage />;
    case 'orders':
      return <OrdersPage />;
    case 'signin':
      return <SignInPage />;
    case 'console':
      return <ConsoleRoutes path={route.path} />;
    case 'scan':
      return <ScanPage />;
    case 'not-found':
      return <NotFoundPage path={path} />;
  }
}

export function App() {
  const { path } = useLocation();
  const route = matchRoute(path);
  const first = useRef(true);
  useEffect(() => {
    document.title = `${TITLES[route.page]} · onsale`;
  }, [route.page]);
  // After a move within the app, focus goes to the new page, as a page load would put it.
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [path]);
  // A kept session may have ended (signed out elsewhere, expired): forget it, once, at start.
  useEffect(() => {
    const s = getSession();
    if (!s) return;
    me(http()).then(
      // A changed role (an admin's doing) changes the navigation; the same user changes nothing.
      (user) => JSON.stringify(user) !== JSON.stringify(s.user) && setSession({ ...s, user }),
      (e) => {
        if (e instanceof ApiError && e.status === 401) setSession(null);
      },
    );
  }, []);
  return <Layout>{page(route, path)}</Layout>;
}
