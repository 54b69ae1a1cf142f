// The simulated card form; only the number reaches the simulated provider (it decides by the
// test card alone).
import { useState } from 'preact/hooks';
import { cardProblem, TEST_CARDS } from './card.ts';

export function CardForm({
  busy,
  onPay,
  total,
}: {
  busy: boolean;
  total: string;
  onPay(card: string): void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const number = String(f.get('card') ?? '');
    const p = cardProblem(number, String(f.get('expiry') ?? ''), String(f.get('cvc') ?? ''));
    setProblem(p);
    if (!p) onPay(number.replace(/[\s-]/g, ''));
  };
  return (
    <form
      class="stack card-form"
      onSubmit={submit}
      noValidate
      aria-describedby={problem ? 'card-problem' : undefined}
    >
      <label for="card">Card number</label>
      <input
        id="card"
        name="card"
        inputMode="numeric"
        autocomplete="cc-number"
        placeholder="4242 4242 4242 4242"
        required
      />
      <div class="row">
        <div class="field">
          <label for="expiry">Expiry (MM/YY)</label>
          <input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="12/30" size={6} required />
        </div>
        <div class="field">
          <label for="cvc">Security code</label>
          <input
            id="cvc"
            name="cvc"
            inputMode="numeric"
            autocomplete="cc-csc"
            placeholder="123"
            size={5}
            required
          />
        </div>
      </div>
      {problem && (
        <p id="card-problem" class="error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Paying…' : `Pay ${total}`}
      </button>
      <details class="hint">
        <summary>Test cards (this shop takes no real money)</summary>
        <ul>
          {TEST_CARDS.map((c) => (
            <li key={c.number}>
              <code>{c.number}</code> {c.outcome}; any future expiry and any 3 digits.
            </li>
          ))}
        </ul>
      </details>
    </form>
  );
}
