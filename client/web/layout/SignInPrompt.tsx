import { Link } from '../lib/navigation.tsx';

/** What a page that needs an account shows to someone signed out: why, and the way in (and back). */
export function SignInPrompt({ title, why, next }: { title: string; why: string; next: string }) {
  return (
    <section class="narrow">
      <h1>{title}</h1>
      <p>{why}</p>
      <Link class="button" href={`/signin?next=${encodeURIComponent(next)}`}>
        Sign in
      </Link>
    </section>
  );
}
