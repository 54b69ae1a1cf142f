// Placeholder: the gate scanner belongs to the console engineer, who replaces this file.
export function ScanPage() {
  return (
    <section>
      <h1>Scan tickets</h1>
      <p>The gate scanner comes here.</p>
    </section>
  );
}
