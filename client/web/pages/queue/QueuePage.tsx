// The waiting room: the fan's place in line, the wait and a progress bar, moved
// live by the socket's "now serving" broadcasts; the moment of admission (then on to the
// seats); and a plain message when the sale ends or sells out instead.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../../sdk/index.ts';
import type { QueueTick } from '../../../sdk/queue.ts';
import { joinQueue, type QueueStatus, queueStatus } from '../../../sdk/waiting-room.ts';
import { SignInPrompt } from '../../layout/SignInPrompt.tsx';
import { errorMessage, http, socket } from '../../lib/api.ts';
import { waitWords } from '../../lib/format.ts';
import { Link, navigate } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';
import { rememberAccess } from '../event/access.ts';
import { queueScreen, saleOverMessage } from './queue-view.ts';

/** The heartbeat: the server skips a fan silent for 60 s when their turn comes (three beats). */
const HEARTBEAT_MS = 20_000;
/**
 * How often the event's status is read while waiting. Every waiting fan does it, so it is
 * slow (a million fans: 33k reads a second of a cached record); a change of the admission
 * rate, which every fan hears at once, makes it read at once.
 */
const EVENT_READ_MS = 30_000;
/** How long the admission message shows before the seats open by themselves. */
const ADMIT_PAUSE_S = 5;

type Place = QueueStatus & { queueToken?: string };

export function QueuePage({ id }: { id: string }) {
  const session = useSession();
  if (!session)
    return (
      <SignInPrompt title="Waiting room" why="Sign in to take your place in line." next={href.queue(id)} />
    );
  return <WaitingRoom id={id} key={`${id}:${session.user.id}`} />;
}

function WaitingRoom({ id }: { id: string }) {
  const [place, setPlace] = useState<Place | null>(null);
  const [tick, setTick] = useState<QueueTick | null>(null);
  const [eventName, setEventName] = useState<string>('');
  const [over, setOver] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);
  const startAhead = useRef<number | null>(null);
  const token = useRef<string | null>(null);
  const [rejoin, setRejoin] = useState(0);

  // Join (or find the existing place), then listen to the broadcasts.
  useEffect(() => {
    let stopped = false;
    let unlisten = () => {};
    joinQueue(http(), id).then(
      (p) => {
        if (stopped) return;
        token.current = p.queueToken;
        startAhead.current = p.position;
        setPlace(p);
      },
      (e) => {
        if (stopped) return;
        if (e instanceof ApiError && e.code === 'WAITING_ROOM_OFF')
          navigate(href.event(id), { replace: true });
        else setError(errorMessage(e));
      },
    );
    socket().then(
      (s) => {
        if (stopped) return;
        unlisten = s.onQueue(id, (t) => setTick({ serving: t.serving, rate: t.rate }));
        s.whenClosed().then(() => !stopped && setLive(false));
      },
      () => setLive(false),
    );
    return () => {
      stopped = true;
      unlisten();
    };
  }, [id, rejoin]);

  // The event's own state: its name, and whether the sale is still on; read again on a beat
  // and whenever the admission rate changes (a sell-out or a pause stops admission).
  const rate = tick?.rate;
  useEffect(() => {
    let stopped = false;
    const read = () =>
      http()
        .event(id)
        .then(
          (e) => {
            if (stopped) return;
            setEventName(String(e.name ?? ''));
            setOver(saleOverMessage(e.status as string));
            setPaused(e.status === 'paused');
          },
          () => {}, // the next read tries again; the queue itself goes on
        );
    read();
    // The record may be served from the browser's cache (max-age=1): once more past that.
    const again = setTimeout(read, 1_500);
    const timer = setInterval(read, EVENT_READ_MS);
    return () => {
      stopped = true;
      clearTimeout(again);
      clearInterval(timer);
    };
  }, [id, rate]);

  const ask = async () => {
    if (!token.current) return;
    try {
      const s = await queueStatus(http(), id, token.current);
      if (s.queueToken) {
        // The lottery gave this fan a new number when the sale opened.
        token.current = s.queueToken;
        startAhead.current = s.position;
      }
      if (startAhead.current === null || (startAhead.current === 0 && s.position > 0))
        startAhead.current = s.position;
      setPlace((p) => ({ ...p, ...s }));
      if (s.accessToken && s.accessExpiresAt) rememberAccess(id, s.accessToken, s.accessExpiresAt);
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_IN_QUEUE') setRejoin((n) => n + 1);
      else setError(errorMessage(e));
    }
  };

  // The heartbeat, which also brings the access token once admitted.
  useEffect(() => {
    if (!place || place.admitted) return;
    const timer = setInterval(ask, HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [place?.admitted, place === null]);

  const screen = place ? queueScreen(place, tick, startAhead.current ?? place.position) : null;

  // Our number came up on the broadcast: fetch the access token now, not at the next beat.
  useEffect(() => {
    if (screen?.phase === 'turn') void ask();
  }, [screen?.phase]);

  return (
    <section class="narrow queue">
      <h1>Waiting room{eventName ? `: ${eventName}` : ''}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!live && (
        <p class="hint" role="status">
          Live updates are off (the connection dropped); your place is kept and checked every{' '}
          {HEARTBEAT_MS / 1000} s.
        </p>
      )}
      {over ? (
        <div class="panel" role="alert">
          <h2>The sale is over</h2>
          <p>{over}</p>
          <p>
            <Link href={`/checkout?event=${encodeURIComponent(id)}`}>Resale tickets</Link> ·{' '}
            <Link href={href.event(id)}>The event page</Link> · <Link href="/">Find other events</Link>
          </p>
        </div>
      ) : !place || !screen ? (
        !error && <p aria-live="polite">Taking your place in line…</p>
      ) : screen.phase === 'admitted' ? (
        <Admitted id={id} until={place.accessExpiresAt} />
      ) : screen.phase === 'expired' || screen.phase === 'skipped' ? (
        <div class="panel" role="alert">
          <h2>
            {screen.phase === 'skipped' ? 'Your turn came while you were away' : 'Your turn has passed'}
          </h2>
          <p>Places are kept only while this page is open. You can join the line again, at the back.</p>
          <button type="button" onClick={() => setRejoin((n) => n + 1)}>
            Join again
          </button>
        </div>
      ) : (
        <div class="panel">
          {screen.phase === 'prequeue' ? (
            <p>
              The sale has not opened yet. When it opens, everyone here gets a place in line by a fair draw,
              so there is no need to hurry. Keep this page open.
            </p>
          ) : screen.phase === 'turn' ? (
            <p aria-live="assertive">It is your turn: opening the seats…</p>
          ) : (
            <>
              <p class="muted">You are in line. Keep this page open; it moves by itself.</p>
              <p>
                Your place in line:{' '}
                <span class="big" data-testid="place">
                  {screen.place.toLocaleString()}
                </span>
              </p>
              <p>
                Estimated wait:{' '}
                <strong data-testid="eta">
                  {screen.rate > 0 ? waitWords(screen.eta) : 'admission is paused for the moment'}
                </strong>
                {screen.rate > 0 && (
                  <span class="muted"> (admitting {screen.rate.toLocaleString()} fans a second)</span>
                )}
              </p>
            </>
          )}
          <label for="queue-progress">Your progress to the front</label>
          <progress
            id="queue-progress"
            max={100}
            value={Math.round(screen.progress * 100)}
            aria-valuetext={`${Math.round(screen.progress * 100)} percent`}
          />
          {paused && <p class="hint">The organiser has paused the sale. You keep your place.</p>}
          <p class="hint">Your number: {place.ticket.toLocaleString()}</p>
        </div>
      )}
    </section>
  );
}

function Admitted({ id, until }: { id: string; until?: number }) {
  const [left, setLeft] = useState(ADMIT_PAUSE_S);
  const go = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    go.current?.focus();
    const timer = setInterval(() => setLeft((s) => s - 1), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left <= 0) navigate(href.event(id), { replace: true });
  }, [left]);
  return (
    <div class="panel admitted" role="alert">
      <h2>It's your turn!</h2>
      <p>
        {until
          ? `You have until ${new Date(until).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })} to choose your seats.`
          : 'You have a few minutes to choose your seats.'}{' '}
        Opening them in {Math.max(0, left)} s…
      </p>
      <Link ref={go} class="button" href={href.event(id)}>
        Choose your seats now
      </Link>
    </div>
  );
}
