// Placeholder: the event page (seat map, holds) belongs to the map engineer, who replaces this file.
export function EventPage({ id }: { id: string }) {
  return (
    <section>
      <h1>Event {id}</h1>
      <p>The seat map for this event comes here.</p>
    </section>
  );
}
