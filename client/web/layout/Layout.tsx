// The frame around every page: a skip link, the header (brand, search, navigation, who is
// signed in) and the main region the page renders into.
import type { ComponentChildren } from 'preact';
import { logout } from '../../sdk/accounts.ts';
import { http } from '../lib/api.ts';
import { Link, navigate, useLocation } from '../lib/navigation.tsx';
import { hasRole, setSession, useSession } from '../lib/session.ts';
import { SearchBox } from './SearchBox.tsx';

function NavLink({ href, children }: { href: string; children: ComponentChildren }) {
  const { path } = useLocation();
  const current = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const session = useSession();
  const { path, query } = useLocation();
  const signOut = async () => {
    try {
      await logout(http());
    } catch {
      // An expired token is signed out already; forget it here either way.
    }
    setSession(null);
    navigate('/');
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <Link href="/" class="brand">
          onsale
        </Link>
        {path !== '/' && (
          <SearchBox
            label="Search events"
            labelClass="visually-hidden"
            initial={query.get('q') ?? ''}
            onSearch={(q) => navigate(q ? `/?q=${encodeURIComponent(q)}` : '/')}
          />
        )}
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink href="/">Events</NavLink>
            </li>
            <li>
              <NavLink href="/tickets">My tickets</NavLink>
            </li>
            <li>
              <NavLink href="/orders">My orders</NavLink>
            </li>
            {hasRole(session, 'operator') && (
              <li>
                <NavLink href="/console">Console</NavLink>
              </li>
            )}
            {hasRole(session, 'scanner') && (
              <li>
                <NavLink href="/scan">Scan</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div class="account">
          {session ? (
            <>
              <span class="who" title={session.user.email}>
                {session.user.email}
              </span>
              <button type="button" class="link-button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <Link href={`/signin?next=${encodeURIComponent(path)}`} class="button">
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
