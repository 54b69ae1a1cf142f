// The operator console: venues and charts, events and their sale, the live dashboard and
// the box office, for operators and admins (the server checks every call again).
import { Link } from '../lib/navigation.tsx';
import { hasRole, useSession } from '../lib/session.ts';
import { BoxOfficePage } from './box-office/BoxOfficePage.tsx';
import { DashboardPage } from './DashboardPage.tsx';
import { EventPage } from './EventPage.tsx';
import { EventsPage } from './EventsPage.tsx';
import { consoleHref, consoleView } from './paths.ts';
import { VenuesPage } from './VenuesPage.tsx';
import './console.css';

export function ConsoleRoutes({ path }: { path: string }) {
  const session = useSession();
  if (!hasRole(session, 'operator')) {
    return (
      <section class="narrow">
        <h1>Console</h1>
        <p>The console is for box-office operators.</p>
        <p>
          <Link href={`/signin?next=${encodeURIComponent(path)}`}>Sign in as an operator</Link>
        </p>
      </section>
    );
  }
  const v = consoleView(path);
  const section = v.view === 'venues' ? 'venues' : 'events';
  return (
    <div class="console">
      <nav aria-label="Console" class="console-nav">
        <ul>
          <li>
            <Link href={consoleHref.events} aria-current={section === 'events' ? 'page' : undefined}>
              Events
            </Link>
          </li>
          <li>
            <Link href={consoleHref.venues} aria-current={section === 'venues' ? 'page' : undefined}>
              Venues and charts
            </Link>
          </li>
        </ul>
      </nav>
      {v.view === 'events' && <EventsPage />}
      {v.view === 'venues' && <VenuesPage />}
      {v.view === 'event' && <EventPage id={v.id} />}
      {v.view === 'dashboard' && <DashboardPage id={v.id} />}
      {v.view === 'box-office' && <BoxOfficePage id={v.id} />}
      {v.view === 'not-found' && (
        <section>
          <h1>Not in the console</h1>
          <p>
            Nothing at {path}. <Link href={consoleHref.events}>Back to the events</Link>
          </p>
        </section>
      )}
    </div>
  );
}

/** The links between one event's console pages. */
export function EventTabs({ id, current }: { id: string; current: 'event' | 'dashboard' | 'box-office' }) {
  const tabs = [
    { key: 'event', href: consoleHref.event(id), label: 'Settings and sale' },
    { key: 'dashboard', href: consoleHref.dashboard(id), label: 'Live dashboard' },
    { key: 'box-office', href: consoleHref.boxOffice(id), label: 'Box office' },
  ] as const;
  return (
    <nav aria-label="This event" class="event-tabs">
      <ul>
        {tabs.map((t) => (
          <li key={t.key}>
            <Link href={t.href} aria-current={t.key === current ? 'page' : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
