// The simulated provider's test cards (Stripe's numbers, so the same ones work against
// Stripe in test mode). Pure: the simulator decides a confirm by the card alone.

export type CardOutcome =
  | { kind: 'succeed' }
  | { kind: 'decline'; code: string; message: string }
  /** The provider never answers: the call times out, nothing is charged, no webhook. */
  | { kind: 'hang' };

export const TEST_CARDS: Readonly<Record<string, CardOutcome>> = {
  '4242424242424242': { kind: 'succeed' },
  '4000000000000002': { kind: 'decline', code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': {
    kind: 'decline',
    code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  '4000000000000101': { kind: 'hang' },
};

/** A card number not in the list is declined as Stripe's test mode does a real one. */
export function cardOutcome(card: string): CardOutcome {
  return (
    TEST_CARDS[card] ?? {
      kind: 'decline',
      code: 'incorrect_number',
      message: 'Your card number is incorrect.',
    }
  );
}
