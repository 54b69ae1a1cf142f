// Offer a ticket for resale at a price up to the event's cap, or withdraw the offer.
import { useEffect, useState } from 'preact/hooks';
import { type Listing, listForResale, resaleCap, withdrawListing } from '../../../sdk/resale.ts';
import { errorMessage, http } from '../../lib/api.ts';
import { money } from '../../lib/format.ts';

export function ResaleForm({
  ticketId,
  listing,
  onChange,
}: {
  ticketId: string;
  listing: Listing | null;
  onChange(l: Listing | null): void;
}) {
  const [cap, setCap] = useState<{ cap: number; faceValue: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `resale-${ticketId}`;

  useEffect(() => {
    resaleCap(http(), ticketId).then(setCap, () => {}); // the server checks the cap anyway
  }, [ticketId]);

  const act = async (f: () => Promise<Listing | null>) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await f());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (listing?.status === 'listed')
    return (
      <div class="stack">
        <p>
          On sale for <strong>{money(listing.price, listing.currency)}</strong>
          {listing.reservedUntil ? ' (a buyer is paying for it now)' : ''}.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => act(() => withdrawListing(http(), listing.id).then(() => null))}
        >
          Withdraw from resale
        </button>
      </div>
    );
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        const price = Math.round(Number(new FormData(e.currentTarget).get('price')) * 100);
        if (!Number.isFinite(price) || price < 1) return setError('Enter a price above zero.');
        if (cap && price > cap.cap)
          return setError(`The most you may ask for this ticket is ${money(cap.cap)}.`);
        void act(() => listForResale(http(), ticketId, price));
      }}
      aria-describedby={`${id}-hint`}
    >
      <div class="field">
        <label for={`${id}-price`}>Resale price</label>
        <input
          id={`${id}-price`}
          name="price"
          type="number"
          min="0.01"
          step="0.01"
          inputMode="decimal"
          required
        />
      </div>
      <button type="submit" class="secondary" disabled={busy}>
        Offer for resale
      </button>
      <p id={`${id}-hint`} class="hint">
        {cap
          ? `Up to ${money(cap.cap)} (face value ${money(cap.faceValue)}).`
          : 'Prices are capped by the organiser.'}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
