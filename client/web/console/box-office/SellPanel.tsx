// Selling at the window: hold the chosen seats for the operator, then take cash, a card on
// the spot or make it complimentary; the order's tickets appear with their QR codes to show
// or print.
import { useEffect, useState } from 'preact/hooks';
import { type BoxOfficeMethod, type Order, sell } from '../../../sdk/box-office.ts';
import type { MyHold } from '../../../sdk/http.ts';
import type { EventRecord } from '../../../sdk/operator.ts';
import { http } from '../../lib/api.ts';
import { money, when } from '../format.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from '../ui.tsx';
import { parseSeatIds } from './selection.ts';
import { TicketCards } from './TicketCards.tsx';

const METHODS: { id: BoxOfficeMethod; label: string }[] = [
  { id: 'cash', label: 'Cash' },
  { id: 'card_present', label: 'Card (on the spot)' },
  { id: 'comp', label: 'Complimentary' },
];

export function SellPanel(props: {
  event: EventRecord;
  selected: string[];
  onSelected: (ids: string[]) => void;
  onHeld: (ids: string[]) => void;
}) {
  const { event } = props;
  const holds = useLoad(
    async () => (await http().holds()).holds.filter((h) => h.eventId === event.id),
    [event.id],
  );
  const [typed, setTyped] = useState('');
  const [best, setBest] = useState('2');
  const [method, setMethod] = useState<BoxOfficeMethod>('cash');
  const [sold, setSold] = useState<Order | null>(null);
  const hold = useAction();
  const sale = useAction();
  const mineIds = (holds.data ?? []).flatMap((h: MyHold) => h.seats);
  const { onHeld } = props;
  // The map draws the operator's holds as "held by you".
  useEffect(() => onHeld(mineIds), [mineIds.join()]);

  const holdSeats = (seats: string[]) =>
    hold.run(async () => {
      if (seats.length === 0) throw new Error('Choose seats on the map or type their ids first.');
      const h = await http().hold({ eventId: event.id, seats });
      props.onSelected([]);
      setTyped('');
      holds.reload();
      return `Holding ${h.seats.join(', ')} until ${when(h.expiresAt)}.`;
    });
  const holdBest = () =>
    hold.run(async () => {
      const count = Number(best);
      if (!Number.isInteger(count) || count < 1 || count > 100)
        throw new Error('Best available: 1 to 100 seats.');
      const h = await http().hold({ eventId: event.id, best: { count } });
      holds.reload();
      return `Holding ${h.seats.join(', ')}${h.together === false ? ' (not all together)' : ''}.`;
    });
  const release = (holdId: string) =>
    hold.run(async () => {
      await http().release(holdId);
      holds.reload();
      return 'Released.';
    });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const form = e.currentTarget as HTMLFormElement;
    sale.run(async () => {
      const live = holds.data ?? [];
      if (live.length === 0) throw new Error('Hold the customer’s seats first.');
      const order = await sell(
        http(),
        {
          eventId: event.id,
          method,
          email: String(f.get('email')).trim(),
          name: String(f.get('name') ?? '').trim() || undefined,
          holdIds: live.map((h) => h.holdId),
        },
        crypto.randomUUID(),
      );
      setSold(order);
      hold.reset();
      form.reset();
      holds.reload();
      return `Sold: order ${order.id}, ${money(order.total, order.currency)}.`;
    });
  };

  const picked = [...props.selected, ...parseSeatIds(typed).filter((id) => !props.selected.includes(id))];
  return (
    <section class="panel" aria-labelledby="sell-h">
      <h2 id="sell-h">Sell</h2>
      <p class="hint">Pick seats on the map (click, or Enter on a focused seat), or type their ids.</p>
      <Field id="sell-seats" label="Seat ids" hint="The chart's seat ids, separated by spaces or commas.">
        <input
          id="sell-seats"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          aria-describedby="sell-seats-hint"
        />
      </Field>
      {props.selected.length > 0 && (
        <p>
          Chosen on the map: {props.selected.join(', ')}{' '}
          <button type="button" class="link-button" onClick={() => props.onSelected([])}>
            clear
          </button>
        </p>
      )}
      <button type="button" disabled={hold.busy} onClick={() => holdSeats(picked)}>
        Hold {picked.length > 0 ? `${picked.length} seat${picked.length > 1 ? 's' : ''}` : 'seats'}
      </button>
      <div class="row best-row">
        <Field id="sell-best" label="…or the best available, how many">
          <input
            id="sell-best"
            type="number"
            min={1}
            max={100}
            size={4}
            value={best}
            onInput={(e) => setBest(e.currentTarget.value)}
          />
        </Field>
        <button type="button" class="secondary" disabled={hold.busy} onClick={holdBest}>
          Hold the best {best}
        </button>
      </div>
      <ErrorNote error={hold.error ?? holds.error} />
      <Notice text={hold.done} />
      <h3>Held for this customer</h3>
      {(holds.data ?? []).length === 0 ? (
        <p class="muted">Nothing held.</p>
      ) : (
        <ul class="holds">
          {(holds.data ?? []).map((h) => (
            <li key={h.holdId}>
              {h.seats.length > 0 ? h.seats.join(', ') : `${h.places} standing in ${h.area}`} · until{' '}
              {when(h.expiresAt)}{' '}
              <button type="button" class="secondary" onClick={() => release(h.holdId)}>
                Release<span class="visually-hidden"> {h.seats.join(', ') || h.area}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack" onSubmit={submit}>
        <fieldset>
          <legend>Payment</legend>
          <div class="row">
            {METHODS.map((m) => (
              <div class="field checkbox" key={m.id}>
                <input
                  type="radio"
                  id={`pay-${m.id}`}
                  name="method"
                  checked={method === m.id}
                  onChange={() => setMethod(m.id)}
                />
                <label for={`pay-${m.id}`}>{m.label}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="row">
          <Field id="sell-email" label="Customer email" hint="For the confirmation mail.">
            <input id="sell-email" name="email" type="email" required aria-describedby="sell-email-hint" />
          </Field>
          <Field id="sell-name" label="Customer name (optional)">
            <input id="sell-name" name="name" maxLength={200} />
          </Field>
        </div>
        <ErrorNote error={sale.error} />
        <Notice text={sale.done} />
        <button type="submit" disabled={sale.busy || (holds.data ?? []).length === 0}>
          Sell the held seats
        </button>
      </form>
      {sold && (
        <TicketCards
          order={sold}
          eventName={event.name}
          categories={Object.fromEntries(event.priceTiers.map((t) => [t.category, t.name]))}
        />
      )}
    </section>
  );
}
