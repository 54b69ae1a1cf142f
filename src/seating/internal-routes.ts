import { z } from 'zod';
import type { Envelope, EventLocator } from '../actors/event-port.ts';
import { parseCommand } from '../domain/commands.ts';
import type { Outcome } from '../domain/outcome.ts';
import { AppError, quoted } from '../errors.ts';
import type { Router } from '../gateway/router.ts';

// Raw command access to event actors for crash tests and benchmarks, enabled only with
// ONSALE_INTERNAL_API=1. It trusts its caller: there is no auth here.

const bodySchema = z
  .object({
    commands: z
      .array(z.object({ command: z.unknown(), key: z.string().min(1).max(128).optional() }).strict())
      .min(1)
      .max(5000),
  })
  .strict();

/** `events`: the directory, or in cluster mode the locator (the command goes to the event's owner). */
export function internalRoutes(router: Router, events: EventLocator): void {
  const handleOf = async (id: string) => {
    const handle = await events.event(id);
    if (!handle) throw new AppError('EVENT_NOT_FOUND', `no event ${quoted(id)}`);
    return handle;
  };

  router.post('/internal/events/:id/commands', { body: bodySchema, maxBody: 4 << 20 }, async (ctx) => {
    const handle = await handleOf(ctx.params.id);
    // Malformed commands are answered in place and never reach the actor.
    const outcomes: (Outcome | null)[] = [];
    const valid: Envelope[] = [];
    for (const item of ctx.body.commands) {
      const c = parseCommand(item.command);
      if (c.ok) {
        valid.push(item.key === undefined ? { command: c.command } : { command: c.command, key: item.key });
        outcomes.push(null);
      } else outcomes.push({ ok: false, error: c.error });
    }
    const applied = valid.length > 0 ? await handle.submit(valid) : [];
    let k = 0;
    return { body: { outcomes: outcomes.map((o) => o ?? applied[k++]) } };
  });

  // Benchmarks measure memory per socket after a full collection (node --expose-gc).
  router.post('/internal/gc', {}, () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new AppError('NO_GC', 'start node with --expose-gc');
    gc();
    return { body: process.memoryUsage() };
  });

  router.get('/internal/events/:id/state', {}, async (ctx) => ({
    body: await (await handleOf(ctx.params.id)).query('dump', {}),
  }));
}
