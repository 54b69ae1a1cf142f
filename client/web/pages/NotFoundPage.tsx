import { Link } from '../lib/navigation.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section class="narrow">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. It may have moved, or the link may be mistyped.
      </p>
      <p>
        <Link href="/">Find events</Link>
      </p>
    </section>
  );
}
