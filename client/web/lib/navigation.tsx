// Client-side navigation on the History API: usePath() re-renders on every move, navigate()
// moves without a page load, and <Link> is an ordinary <a> (so it opens in a new tab, copies
// and works with the keyboard) whose plain left clicks navigate in place.
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export interface Location {
  path: string;
  query: URLSearchParams;
}

function here(): Location {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Goes to `to` (a path with an optional query); `replace` keeps the history entry. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
  // A new page starts at the top, as a page load would.
  if (!opts.replace) scrollTo(0, 0);
}

/** The current path and query; the component re-renders when either changes. */
export function useLocation(): Location {
  const [loc, set] = useState(here);
  useEffect(() => {
    const l = () => set(here());
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return loc;
}

type AnchorProps = AnchorHTMLAttributes & { href: string; children?: ComponentChildren };

export function Link(props: AnchorProps) {
  const { href, onClick, ...rest } = props;
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        onClick?.(e);
        const outside = /^[a-z]+:/i.test(href);
        if (
          e.defaultPrevented ||
          outside ||
          e.button !== 0 ||
          e.metaKey ||
          e.ctrlKey ||
          e.shiftKey ||
          e.altKey
        )
          return;
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}
