// Promo (discount) and presale codes of an event: the list with their uses, a form to add one,
// and deleting (orders placed with a code keep their price).
import { useState } from 'preact/hooks';
import { type Code, createCode, deleteCode, listCodes } from '../../sdk/operator.ts';
import { http } from '../lib/api.ts';
import { amountOf } from './FeesPanel.tsx';
import { fromLocalInput, money, when } from './format.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from './ui.tsx';

const describe = (c: Code) =>
  c.discount === null
    ? 'presale'
    : 'fixed' in c.discount
      ? `${money(c.discount.fixed, null)} off`
      : `${c.discount.percentBp / 100} % off`;

export function CodesPanel({ eventId }: { eventId: string }) {
  const codes = useLoad(() => listCodes(http(), eventId), [eventId]);
  const action = useAction();
  const [kind, setKind] = useState<'discount' | 'presale'>('discount');
  const [discountKind, setDiscountKind] = useState<'fixed' | 'percent'>('percent');

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    action.run(async () => {
      const maxUses = String(f.get('maxUses') ?? '').trim();
      const c = await createCode(http(), eventId, {
        code: String(f.get('code')).trim(),
        kind,
        discount:
          kind === 'discount'
            ? amountOf({ kind: discountKind, text: String(f.get('discount')) }, 'Discount')
            : undefined,
        maxUses: maxUses ? Number(maxUses) : null,
        validFrom: fromLocalInput(String(f.get('validFrom'))),
        validUntil: fromLocalInput(String(f.get('validUntil'))),
      });
      form.reset();
      codes.reload();
      return `Code ${c.code} added.`;
    });
  };
  const remove = (code: string) =>
    action.run(async () => {
      await deleteCode(http(), eventId, code);
      codes.reload();
      return `Code ${code} deleted.`;
    });

  return (
    <section class="panel" aria-labelledby="codes-h">
      <h2 id="codes-h">Promo and presale codes</h2>
      <ErrorNote error={codes.error} />
      {codes.data && codes.data.length === 0 && <p class="muted">No codes yet.</p>}
      {codes.data && codes.data.length > 0 && (
        <table class="stackable">
          <caption class="visually-hidden">Codes</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">What</th>
              <th scope="col" class="num">
                Uses
              </th>
              <th scope="col">Valid</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {codes.data.map((c) => (
              <tr key={c.code}>
                <td data-label="Code">
                  <code>{c.code}</code>
                </td>
                <td data-label="What">{describe(c)}</td>
                <td data-label="Uses" class="num">
                  {c.uses}
                  {c.maxUses !== null && ` of ${c.maxUses}`}
                </td>
                <td data-label="Valid">
                  {c.validFrom || c.validUntil ? `${when(c.validFrom)} – ${when(c.validUntil)}` : 'always'}
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    disabled={action.busy}
                    onClick={() => remove(c.code)}
                  >
                    Delete<span class="visually-hidden"> code {c.code}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="stack" onSubmit={submit}>
        <div class="row">
          <Field id="code-code" label="Code" hint="3–32 letters, digits, - or _">
            <input
              id="code-code"
              name="code"
              required
              pattern="[A-Za-z0-9_\-]{3,32}"
              aria-describedby="code-code-hint"
            />
          </Field>
          <Field id="code-kind" label="Kind">
            <select
              id="code-kind"
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as typeof kind)}
            >
              <option value="discount">Discount</option>
              <option value="presale">Presale access</option>
            </select>
          </Field>
          {kind === 'discount' && (
            <>
              <Field id="code-dkind" label="Discount as">
                <select
                  id="code-dkind"
                  value={discountKind}
                  onChange={(e) => setDiscountKind(e.currentTarget.value as typeof discountKind)}
                >
                  <option value="percent">Percent</option>
                  <option value="fixed">Fixed amount</option>
                </select>
              </Field>
              <Field id="code-discount" label={discountKind === 'percent' ? 'Percent off' : 'Amount off'}>
                <input id="code-discount" name="discount" required inputMode="decimal" size={8} />
              </Field>
            </>
          )}
          <Field id="code-max" label="Most uses (optional)">
            <input id="code-max" name="maxUses" type="number" min={1} size={8} />
          </Field>
          <Field id="code-from" label="Valid from (optional)">
            <input id="code-from" name="validFrom" type="datetime-local" />
          </Field>
          <Field id="code-until" label="Valid until (optional)">
            <input id="code-until" name="validUntil" type="datetime-local" />
          </Field>
        </div>
        <ErrorNote error={action.error} />
        <Notice text={action.done} />
        <button type="submit" disabled={action.busy}>
          Add the code
        </button>
      </form>
    </section>
  );
}
