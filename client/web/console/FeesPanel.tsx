// The rest of the bill beyond face prices: currency, a per-ticket and a per-order fee (a fixed
// amount or a percentage) and the tax rate.
import { useState } from 'preact/hooks';
import { type Amount, type PricingPolicy, pricing, setPricing } from '../../sdk/operator.ts';
import { http } from '../lib/api.ts';
import { moneyInput, parseMoney } from './format.ts';
import { ErrorNote, Field, Notice, useAction, useLoad } from './ui.tsx';

interface AmountText {
  kind: 'fixed' | 'percent';
  text: string;
}

const toText = (a: Amount): AmountText =>
  'fixed' in a
    ? { kind: 'fixed', text: moneyInput(a.fixed) }
    : { kind: 'percent', text: String(a.percentBp / 100) };

/** A fee from its inputs: money for fixed, a percentage (two decimals) for percent. */
export function amountOf(a: AmountText, what: string): Amount {
  if (a.kind === 'fixed') {
    const m = parseMoney(a.text || '0');
    if (m === null) throw new Error(`${what}: an amount such as 1.50.`);
    return { fixed: m };
  }
  const p = Number((a.text || '0').replace(',', '.'));
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new Error(`${what}: a percentage from 0 to 100.`);
  return { percentBp: Math.round(p * 100) };
}

function AmountInput(props: {
  id: string;
  label: string;
  value: AmountText;
  onChange: (v: AmountText) => void;
}) {
  return (
    <fieldset class="amount">
      <legend>{props.label}</legend>
      <div class="row">
        <label for={`${props.id}-kind`} class="visually-hidden">
          {props.label}: kind
        </label>
        <select
          id={`${props.id}-kind`}
          value={props.value.kind}
          onChange={(e) =>
            props.onChange({ ...props.value, kind: e.currentTarget.value as AmountText['kind'] })
          }
        >
          <option value="fixed">Fixed amount</option>
          <option value="percent">Percent</option>
        </select>
        <label for={`${props.id}-value`} class="visually-hidden">
          {props.label}: {props.value.kind === 'fixed' ? 'amount' : 'percent'}
        </label>
        <input
          id={`${props.id}-value`}
          inputMode="decimal"
          size={8}
          value={props.value.text}
          onInput={(e) => props.onChange({ ...props.value, text: e.currentTarget.value })}
        />
      </div>
    </fieldset>
  );
}

export function FeesPanel({ eventId }: { eventId: string }) {
  const policy = useLoad(() => pricing(http(), eventId), [eventId]);
  return (
    <section class="panel" aria-labelledby="fees-h">
      <h2 id="fees-h">Fees and tax</h2>
      <ErrorNote error={policy.error} />
      {policy.data && <FeesForm eventId={eventId} policy={policy.data} />}
    </section>
  );
}

function FeesForm({ eventId, policy }: { eventId: string; policy: PricingPolicy }) {
  const [currency, setCurrency] = useState(policy.currency);
  const [perTicket, setPerTicket] = useState(toText(policy.perTicketFee));
  const [perOrder, setPerOrder] = useState(toText(policy.perOrderFee));
  const [tax, setTax] = useState(String(policy.taxRateBp / 100));
  const action = useAction();
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    action.run(async () => {
      const t = Number(tax.replace(',', '.'));
      if (!Number.isFinite(t) || t < 0 || t > 100) throw new Error('Tax rate: a percentage from 0 to 100.');
      if (!/^[A-Z]{3}$/.test(currency)) throw new Error('Currency: three capital letters, such as EUR.');
      await setPricing(http(), eventId, {
        currency,
        perTicketFee: amountOf(perTicket, 'Fee per ticket'),
        perOrderFee: amountOf(perOrder, 'Fee per order'),
        taxRateBp: Math.round(t * 100),
      });
      return 'Fees saved; orders already placed keep their quote.';
    });
  };
  return (
    <form class="stack" onSubmit={submit}>
      <div class="row">
        <Field id="fee-currency" label="Currency">
          <input
            id="fee-currency"
            size={4}
            maxLength={3}
            value={currency}
            onInput={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
          />
        </Field>
        <AmountInput id="fee-ticket" label="Fee per ticket" value={perTicket} onChange={setPerTicket} />
        <AmountInput id="fee-order" label="Fee per order" value={perOrder} onChange={setPerOrder} />
        <Field id="fee-tax" label="Tax rate (%)">
          <input
            id="fee-tax"
            inputMode="decimal"
            size={6}
            value={tax}
            onInput={(e) => setTax(e.currentTarget.value)}
          />
        </Field>
      </div>
      <ErrorNote error={action.error} />
      <Notice text={action.done} />
      <button type="submit" disabled={action.busy}>
        Save fees
      </button>
    </form>
  );
}
