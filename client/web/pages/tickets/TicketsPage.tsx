// First version: being built (see the commits after this one).
export function TicketsPage() {
  return (
    <section>
      <h1>TicketsPage</h1>
    </section>
  );
}
