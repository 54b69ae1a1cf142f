// The gate: pick the event (found by name) and the gate, then scan. A scanner's keyboard wedge types the QR
// content and Enter into the focused field (or paste it, or type it); the verdict shows at once,
// large: valid, already used (when and where), or invalid (why). The field clears and keeps
// the focus for the next ticket. POST /api/scan, for scanners (operators and admins too).
import { useEffect, useRef, useState } from 'preact/hooks';
import { type SearchHit, searchEvents } from '../../sdk/catalog.ts';
import { getEvent } from '../../sdk/event-detail.ts';
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
      <GateSetup
        initial={setup}
        onStart={(next) => {
          try {
            localStorage.setItem(KEY, JSON.stringify(next));
          } catch {}
          setSetup(next);
          setStarted(true);
        }}
      />
    );
  }
  return <Scanner eventId={setup.eventId} gate={setup.gate} onChange={() => setStarted(false)} />;
}

/** The event (found by name in the catalog, or its id typed) and the gate's name. */
function GateSetup(props: {
  initial: { eventId: string; gate: string };
  onStart: (s: { eventId: string; gate: string }) => void;
}) {
  const [eventId, setEventId] = useState(props.initial.eventId);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const find = async (e: SubmitEvent) => {
    e.preventDefault();
    const q = query.trim();
    if (q.length < 2) return setError('Type at least two letters of the event, artist or venue.');
    setError(null);
    try {
      setHits((await searchEvents(http(), { q, sort: 'date', pageSize: 10 })).results);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section class="narrow">
      <h1>Scan tickets</h1>
      <form class="stack" onSubmit={find}>
        <label for="scan-find">Find the event: its name, artist or venue</label>
        <div class="row">
          <input
            id="scan-find"
            type="search"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <button type="submit" class="secondary">
            Search
          </button>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {hits && hits.length === 0 && <p role="status">No event found.</p>}
        {hits && hits.length > 0 && (
          <ul class="scan-hits">
            {hits.map((h) => (
              <li key={h.id}>
                <button type="button" class="link-button" onClick={() => setEventId(h.id)}>
                  {h.name}
                </button>{' '}
                <span class="muted">
                  {h.venue.name}, {new Date(h.startsAt).toLocaleDateString()}
                </span>
              </li>
            ))}
          </ul>
        )}
      </form>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          props.onStart({ eventId: eventId.trim(), gate: String(f.get('gate')).trim() });
        }}
      >
        <label for="scan-event">Event id</label>
        <input
          id="scan-event"
          name="eventId"
          required
          maxLength={128}
          value={eventId}
          onInput={(e) => setEventId(e.currentTarget.value)}
        />
        <label for="scan-gate">Gate</label>
        <input
          id="scan-gate"
          name="gate"
          required
          maxLength={64}
          defaultValue={props.initial.gate}
          placeholder="North"
        />
        <button type="submit">Start scanning</button>
      </form>
    </section>
  );
}

function Scanner({ eventId, gate, onChange }: { eventId: string; gate: string; onChange: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    getEvent(http(), eventId).then(
      (e) => setName(e.name),
      () => setName(null), // a wrong id shows in every scan's verdict (SCAN_WRONG_EVENT)
    );
  }, [eventId]);
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
        Event <strong>{name ?? eventId}</strong> · gate <strong>{gate}</strong> · {count} admitted here{' '}
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
          placeholder="Scan or paste the code"
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
