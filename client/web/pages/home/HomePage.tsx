// First version: being built (see the commits after this one).
export function HomePage() {
  return (
    <section>
      <h1>HomePage</h1>
    </section>
  );
}
