// Placeholder: the operator console belongs to the console engineer, who replaces this file.
export function ConsoleRoutes({ path }: { path: string }) {
  return (
    <section>
      <h1>Console</h1>
      <p>The operator console ({path}) comes here.</p>
    </section>
  );
}
