// An event's three times as datetime-local fields (named startsAt, presaleAt, onSaleAt for the
// form's FormData): creating an event and editing one use the same row.
import { toLocalInput } from './format.ts';
import { Field } from './ui.tsx';

export function SaleTimes(props: {
  idPrefix: string;
  initial?: { startsAt: string; presaleAt: string | null; onSaleAt: string | null };
}) {
  const p = props.idPrefix;
  const fields = [
    { name: 'startsAt', label: 'Starts at', hint: undefined, required: true },
    { name: 'presaleAt', label: 'Presale opens', hint: 'Empty: no presale.', required: false },
    {
      name: 'onSaleAt',
      label: 'Sale opens',
      hint: 'The sale clock opens it then; empty: by hand.',
      required: false,
    },
  ] as const;
  return (
    <div class="row">
      {fields.map((f) => {
        const id = `${p}-${f.name}`;
        return (
          <Field key={f.name} id={id} label={f.label} hint={f.hint}>
            <input
              id={id}
              name={f.name}
              type="datetime-local"
              required={f.required}
              aria-describedby={f.hint ? `${id}-hint` : undefined}
              defaultValue={toLocalInput(props.initial?.[f.name])}
            />
          </Field>
        );
      })}
    </div>
  );
}
