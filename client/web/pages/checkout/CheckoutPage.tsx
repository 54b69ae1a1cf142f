// First version: being built (see the commits after this one).
export function CheckoutPage() {
  return (
    <section>
      <h1>CheckoutPage</h1>
    </section>
  );
}
