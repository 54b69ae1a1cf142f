// First version: being built (see the commits after this one).
export function QueuePage(_: { id: string }) {
  return (
    <section>
      <h1>QueuePage</h1>
    </section>
  );
}
