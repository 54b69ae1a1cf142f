// First version: being built (see the commits after this one).
export function OrdersPage() {
  return (
    <section>
      <h1>OrdersPage</h1>
    </section>
  );
}
