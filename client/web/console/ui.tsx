// Small pieces every console page uses: an action's state, an error or a notice announced to
// screen readers, a labelled field.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { errorMessage } from '../lib/api.ts';

/** Loading data with its error: the app's own (lib/use-load.ts). */
export { useLoad } from '../lib/use-load.ts';

/** An action's state: busy while it runs, its error or its success message after. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const msg = await work();
      if (typeof msg === 'string' && msg) setDone(msg);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  /** Forgets the last outcome (a later step made it stale). */
  const reset = () => {
    setError(null);
    setDone(null);
  };
  return { busy, error, done, run, setError, reset };
}

export function ErrorNote({ error, id }: { error: string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" id={id}>
      {error}
    </p>
  );
}

export function Notice({ text }: { text: string | null | undefined }) {
  return (
    <p class="ok" role="status" aria-live="polite">
      {text ?? ''}
    </p>
  );
}

/** A label above its control; `hint` is tied to the control by aria-describedby. */
export function Field(props: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}
