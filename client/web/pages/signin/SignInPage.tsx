// Sign in, or create a fan account, then back to the page that sent the fan here (?next=).
import { useState } from 'preact/hooks';
import { errorMessage, http } from '../../lib/api.ts';
import { navigate, useLocation } from '../../lib/navigation.tsx';
import { setSession } from '../../lib/session.ts';

/** Only a path on this site: an open redirect would let a link send fans elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && next !== '/signin' ? next : '/';
}

export function SignInPage() {
  const { query } = useLocation();
  const [mode, setMode] = useState<'signin' | 'register'>(
    query.get('mode') === 'register' ? 'register' : 'signin',
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const registering = mode === 'register';

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    try {
      const r = registering ? await http().register(email, password) : await http().login(email, password);
      setSession({ token: r.token, user: r.user as never });
      navigate(safeNext(query.get('next')), { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow">
      <h1>{registering ? 'Create an account' : 'Sign in'}</h1>
      <form class="stack" onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete={registering ? 'new-password' : 'current-password'}
          minLength={registering ? 8 : undefined}
          required
        />
        {registering && <p class="hint">At least 8 characters.</p>}
        {error && (
          <p id="signin-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {registering ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p>
        {registering ? 'Have an account already? ' : 'New here? '}
        <button
          type="button"
          class="link-button"
          onClick={() => setMode(registering ? 'signin' : 'register')}
        >
          {registering ? 'Sign in' : 'Create an account'}
        </button>
      </p>
    </section>
  );
}
