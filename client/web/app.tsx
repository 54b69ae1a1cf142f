// The app: the shared layout around the page the current path names (lib/routes.ts).
import { useEffect } from 'preact/hooks';
import { ConsoleRoutes } from './console/ConsoleRoutes.tsx';
import { Layout } from './layout/Layout.tsx';
import { useLocation } from './lib/navigation.tsx';
import { matchRoute, type Route } from './lib/routes.ts';
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
  useEffect(() => {
    document.title = `${TITLES[route.page]} · onsale`;
  }, [route.page]);
  return <Layout>{page(route, path)}</Layout>;
}
