// My tickets: each valid ticket with its rotating QR code, transfer by email and resale.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Listing, myListings } from '../../../sdk/resale.ts';
import { type FanTicket, myTickets } from '../../../sdk/tickets.ts';
import { SignInPrompt } from '../../layout/SignInPrompt.tsx';
import { errorMessage, http } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Link } from '../../lib/navigation.tsx';
import { href } from '../../lib/routes.ts';
import { useSession } from '../../lib/session.ts';
import { ResaleForm } from './ResaleForm.tsx';
import { TicketQr } from './TicketQr.tsx';
import { TransferForm } from './TransferForm.tsx';

export function TicketsPage() {
  const session = useSession();
  const [tickets, setTickets] = useState<FanTicket[] | null>(null);
  const [listings, setListings] = useState<Map<string, Listing>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!session) return;
    myTickets(http()).then(setTickets, (e) => setError(errorMessage(e)));
    myListings(http()).then(
      (ls) => setListings(new Map(ls.filter((l) => l.status === 'listed').map((l) => [l.ticketId, l]))),
      () => {}, // resale may be off on this server: the tickets still show
    );
  }, [session?.token, reload]);

  if (!session) return <SignInPrompt title="My tickets" why="Sign in to see your tickets." next="/tickets" />;

  return (
    <section>
      <h1>My tickets</h1>
      {notice && (
        <p class="ok" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          Your tickets could not be read: {error}
        </p>
      )}
      {tickets === null && !error && <p>Reading your tickets…</p>}
      {tickets?.length === 0 && (
        <p>
          You have no tickets yet. <Link href="/">Find events</Link>
        </p>
      )}
      <ul class="tickets">
        {tickets?.map((t) => (
          <li key={t.id} class="panel ticket">
            <div class="ticket-info">
              <h2>
                <Link href={href.event(t.eventId)}>{t.eventName ?? t.eventId}</Link>
              </h2>
              {t.startsAt && <p>{dateTime(t.startsAt)}</p>}
              <p>
                <strong>{t.label}</strong> <span class="muted">({t.category})</span>
              </p>
              {t.transferred && <p class="muted">Sent to you by another fan.</p>}
              <details>
                <summary>Transfer to a friend</summary>
                <TransferForm
                  ticketId={t.id}
                  label={t.label}
                  onDone={() => {
                    setNotice(`${t.label} was sent.`);
                    setReload((n) => n + 1);
                  }}
                />
              </details>
              <OpenWhen when={listings.has(t.id)}>
                <summary>Resell</summary>
                <ResaleForm
                  ticketId={t.id}
                  listing={listings.get(t.id) ?? null}
                  onChange={(l) =>
                    setListings((m) => {
                      const next = new Map(m);
                      if (l) next.set(t.id, l);
                      else next.delete(t.id);
                      return next;
                    })
                  }
                />
              </OpenWhen>
            </div>
            {listings.has(t.id) ? (
              <p class="qr-note">
                This ticket is on offer for resale; its QR code shows again if you withdraw it.
              </p>
            ) : (
              <TicketQr ticketId={t.id} label={`${t.eventName ?? t.eventId}, ${t.label}`} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A <details> that opens when `when` turns true (a listing found) and is otherwise the fan's to fold. */
function OpenWhen({ when, children }: { when: boolean; children: ComponentChildren }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (when && ref.current) ref.current.open = true;
  }, [when]);
  return <details ref={ref}>{children}</details>;
}
