// Send a ticket to another account: the email, then a confirmation, since it cannot be undone.
import { useState } from 'preact/hooks';
import { transferTicket } from '../../../sdk/tickets.ts';
import { errorMessage, http } from '../../lib/api.ts';

export function TransferForm({
  ticketId,
  label,
  onDone,
}: {
  ticketId: string;
  label: string;
  onDone(): void;
}) {
  const [email, setEmail] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `transfer-${ticketId}`;

  if (email)
    return (
      <div class="stack">
        <p id={`${id}-confirm`}>
          Send {label} to <strong>{email}</strong>? It leaves your account, and this QR code stops working.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await transferTicket(http(), ticketId, email);
                onDone();
              } catch (e) {
                setError(errorMessage(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Yes, send it
          </button>
          <button type="button" class="secondary" onClick={() => setEmail(null)}>
            Cancel
          </button>
        </div>
      </div>
    );
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setEmail(String(new FormData(e.currentTarget).get('email') ?? '').trim());
      }}
    >
      <div class="field">
        <label for={`${id}-email`}>Send to (their account email)</label>
        <input id={`${id}-email`} name="email" type="email" autocomplete="email" required />
      </div>
      <button type="submit" class="secondary">
        Transfer
      </button>
    </form>
  );
}
