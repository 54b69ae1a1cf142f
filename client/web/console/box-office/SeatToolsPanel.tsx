// Blocking seats (held back from sale: the house, the press, a broken seat) and releasing
// them again, and a seat's history from the event's journal.
import { useState } from 'preact/hooks';
import { type HistoryItem, seatHistory } from '../../../sdk/box-office.ts';
import { http } from '../../lib/api.ts';
import { when } from '../format.ts';
import { ErrorNote, Field, Notice, useAction } from '../ui.tsx';
import { parseSeatIds } from './selection.ts';

function describe(item: HistoryItem): string {
  const d = item.detail;
  const parts: string[] = [];
  for (const k of ['holdId', 'orderId', 'fanId', 'sale', 'reason'])
    if (d[k] !== undefined) parts.push(`${k} ${String(d[k])}`);
  if (item.by) parts.push(`by ${item.by}`);
  return parts.join(' · ');
}

export function SeatToolsPanel(props: {
  eventId: string;
  selected: string[];
  onSelected: (ids: string[]) => void;
}) {
  const [typed, setTyped] = useState('');
  const block = useAction();
  const history = useAction();
  const [items, setItems] = useState<{ seat: string; items: HistoryItem[] } | null>(null);
  const seats = () => {
    const ids = [...new Set([...props.selected, ...parseSeatIds(typed)])];
    if (ids.length === 0) throw new Error('Choose seats on the map or type their ids first.');
    return ids;
  };
  const setBlocked = (blocked: boolean) =>
    block.run(async () => {
      const ids = seats();
      const r = (await http().block(props.eventId, ids, blocked)) as { seats: number };
      props.onSelected([]);
      setTyped('');
      return `${r.seats} seat(s) ${blocked ? 'blocked' : 'released'}.`;
    });
  const readHistory = (e: SubmitEvent) => {
    e.preventDefault();
    const seat = String(new FormData(e.currentTarget as HTMLFormElement).get('seat') ?? '').trim();
    history.run(async () => {
      if (!seat) throw new Error('Give a seat id.');
      const r = await seatHistory(http(), props.eventId, { seat, limit: 200 });
      setItems({ seat, items: r.items });
    });
  };
  return (
    <section class="panel" aria-labelledby="seat-tools-h">
      <h2 id="seat-tools-h">Block and release seats</h2>
      <Field id="block-seats" label="Seat ids to block or release" hint="Or the seats chosen on the map.">
        <input
          id="block-seats"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          aria-describedby="block-seats-hint"
        />
      </Field>
      <div class="row">
        <button type="button" disabled={block.busy} onClick={() => setBlocked(true)}>
          Block
        </button>
        <button type="button" class="secondary" disabled={block.busy} onClick={() => setBlocked(false)}>
          Release blocked seats
        </button>
      </div>
      <ErrorNote error={block.error} />
      <Notice text={block.done} />
      <h2>A seat's history</h2>
      <form class="row" onSubmit={readHistory}>
        <Field id="history-seat" label="Seat id">
          <input
            id="history-seat"
            name="seat"
            defaultValue={props.selected[0] ?? ''}
            key={props.selected[0]}
          />
        </Field>
        <button type="submit" disabled={history.busy}>
          Show the history
        </button>
      </form>
      <ErrorNote error={history.error} />
      {items &&
        (items.items.length === 0 ? (
          <p>Nothing has happened to {items.seat} yet.</p>
        ) : (
          <ol class="history" aria-label={`History of ${items.seat}`}>
            {items.items.map((i) => (
              <li key={i.seq}>
                <strong>{i.type}</strong> {when(i.at)} <span class="muted">{describe(i)}</span>
              </li>
            ))}
          </ol>
        ))}
    </section>
  );
}
