// Ctrl-C (or SIGTERM) in the middle of a bench still removes what it made: finally blocks do
// not run when a signal ends the process, so servers and scratch databases register here and
// are cleaned up, newest first (a server before the schema it uses), before the exit. A second
// Ctrl-C ends the process at once.

const cleanups = new Set<() => unknown>();
let hooked = false;

/** Runs `fn` if the process is interrupted; the returned function unregisters it. */
export function onInterrupt(fn: () => unknown): () => void {
  if (!hooked) {
    hooked = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, async () => {
        console.error(`bench: ${sig}: cleaning up`);
        for (const f of [...cleanups].reverse()) {
          // Bounded: an interrupted run must still end.
          await Promise.race([
            Promise.resolve()
              .then(f)
              .catch(() => {}),
            new Promise((r) => setTimeout(r, 5000)),
          ]);
        }
        process.exit(130);
      });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
