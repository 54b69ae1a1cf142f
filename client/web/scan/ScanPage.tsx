// The gate: pick the event and the gate, then scan. A scanner's keyboard wedge types the QR
// content and Enter into the focused field (or paste it, or type it); the verdict shows at once,
// large: valid, already used (when and where), or invalid (why). The field clears and keeps
// the focus for the next ticket. POST /api/scan, for scanners (operators and admins too).
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ScanResult, scan } from '../../sdk/scanning.ts';
import { errorMessage, http } from '../lib/api.ts';
import { Link } from '../lib/navigation.tsx';
import { hasRole, useSession } from '../lib/session.ts';
import { verdictOf } from './verdict.ts';
import './scan.css';

const KEY = 'onsale.gate';

function remembered(): { eventId: string; gate: string } {
  try {
    return { eventId: '', gate: '', ...JSON.parse(localStorage.getItem(KEY) ?? '{}') };
  } catch {
    return { eventId: '', gate: '' };
  }
}

const time = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export function ScanPage() {
  const session = useSession();
  const [setup, setSetup] = useState(remembered);
  const [started, setStarted] = useState(() => remembered().eventId !== '' && remembered().gate !== '');
  if (!hasRole(session, 'scanner')) {
    return (
      <section class="narrow">
        <h1>Scan tickets</h1>
        <p>Scanning is for gate staff.</p>
        <p>
          <Link href="/signin?next=%2Fscan">Sign in as a scanner</Link>
        </p>
      </section>
    );
  }
  if (!started) {
    return (
      <section class="narrow">
        <h1>Scan tickets</h1>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget as HTMLFormElement);
            const next = { eventId: String(f.get('eventId')).trim(), gate: String(f.get('gate')).trim() };
            try {
              localStorage.setItem(KEY, JSON.stringify(next));
            } catch {}
            setSetup(next);
            setStarted(true);
          }}
        >
          <label for="scan-event">Event id</label>
          <input id="scan-event" name="eventId" required maxLength={128} defaultValue={setup.eventId} />
          <label for="scan-gate">Gate</label>
          <input
            id="scan-gate"
            name="gate"
            required
            maxLength={64}
            defaultValue={setup.gate}
            placeholder="North"
          />
          <button type="submit">Start scanning</button>
        </form>
      </section>
    );
  }
  return <Scanner eventId={setup.eventId} gate={setup.gate} onChange={() => setStarted(false)} />;
}

function Scanner({ eventId, gate, onChange }: { eventId: string; gate: string; onChange: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<{ r: ScanResult; at: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [count, setCount] = useState(0);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const el = input.current!;
    const payload = el.value.trim();
    if (!payload) return;
    setBusy(true);
    setError(null);
    try {
      const r = await scan(http(), { eventId, gate, payload });
      setResult({ r, at: Date.now() });
      if (r.ok) setCount((n) => n + 1);
    } catch (err) {
      setResult(null);
      setError(`No answer from the server: ${errorMessage(err)}. Scan again.`);
    } finally {
      setBusy(false);
      el.value = '';
      el.focus();
    }
  };

  const v = result ? verdictOf(result.r, time) : null;
  return (
    <section class="scanner">
      <h1>Scan tickets</h1>
      <p>
        Event <strong>{eventId}</strong> · gate <strong>{gate}</strong> · {count} admitted here{' '}
        <button type="button" class="link-button" onClick={onChange}>
          change
        </button>
      </p>
      <form onSubmit={submit} class="scan-form">
        <label for="scan-code">Ticket code</label>
        <input
          id="scan-code"
          ref={input}
          autocomplete="off"
          spellcheck={false}
          placeholder="Scan, paste or type the code, then Enter"
          aria-describedby="scan-hint"
        />
        <button type="submit" disabled={busy}>
          Check
        </button>
      </form>
      <p id="scan-hint" class="hint">
        The result appears below and is read out; the field is ready for the next ticket.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="verdict-region" role="status" aria-live="assertive" aria-atomic="true">
        {v && (
          <div class={`verdict verdict-${v.tone}`} key={result!.at} data-tone={v.tone}>
            <p class="verdict-headline">{v.headline}</p>
            {v.lines.map((l) => (
              <p class="verdict-line" key={l}>
                {l}
              </p>
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
