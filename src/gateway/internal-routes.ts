import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import type { Directory } from '../actors/directory.ts';
import type { Envelope } from '../actors/event-runtime.ts';
import { parseCommand } from '../domain/commands.ts';
import type { Outcome } from '../domain/outcome.ts';
import { parseJson, readBody, sendError, sendJson, watchAbort } from './http.ts';

// Raw command access to event actors for crash tests and benchmarks, enabled only with
// ONSALE_INTERNAL_API=1. It trusts its caller: there is no auth here.

const bodySchema = z.object({
  commands: z
    .array(z.object({ command: z.unknown(), key: z.string().min(1).max(128).optional() }))
    .min(1)
    .max(5000),
});

export function internalRoutes(app: TemplatedApp, directory: Directory): void {
  app.post('/internal/events/:id/commands', (res, req) => {
    const abort = watchAbort(res);
    const handle = directory.get(req.getParameter(0) ?? '');
    readBody(res, abort, 4 << 20).then(async (body) => {
      if (!body) return;
      if (!handle) return sendError(res, '404 Not Found', 'EVENT_NOT_FOUND', 'no such event');
      const json = parseJson(res, body);
      if (!json.ok) return;
      const parsed = bodySchema.safeParse(json.value);
      if (!parsed.success)
        return sendError(
          res,
          '400 Bad Request',
          'INVALID_BODY',
          parsed.error.issues[0]?.message ?? 'bad body',
        );
      // Malformed commands are answered in place and never reach the actor.
      const outcomes: (Outcome | null)[] = [];
      const valid: Envelope[] = [];
      for (const item of parsed.data.commands) {
        const c = parseCommand(item.command);
        if (c.ok) {
          valid.push(item.key === undefined ? { command: c.command } : { command: c.command, key: item.key });
          outcomes.push(null);
        } else outcomes.push({ ok: false, error: c.error });
      }
      const applied = valid.length > 0 ? await handle.submitMany(valid) : [];
      let k = 0;
      const result = outcomes.map((o) => o ?? applied[k++]);
      if (!abort.aborted) sendJson(res, '200 OK', { outcomes: result });
    });
  });

  app.get('/internal/events/:id/state', (res, req) => {
    const abort = watchAbort(res);
    const handle = directory.get(req.getParameter(0) ?? '');
    if (!handle) return sendError(res, '404 Not Found', 'EVENT_NOT_FOUND', 'no such event');
    handle
      .read((s) => ({
        version: s.version,
        sale: s.sale,
        status: Array.from(s.status),
        holds: [...s.holds.values()].map((h) => ({
          id: h.id,
          fanId: s.fanIds[h.fan],
          seats: h.seats,
          area: h.area,
          places: h.places,
          expiresAt: h.expiresAt,
        })),
        orders: s.orders.map((o) => ({ id: o.id, fanId: s.fanIds[o.fan], seats: o.seats })),
      }))
      .then(
        (state) => !abort.aborted && sendJson(res, '200 OK', state),
        (e: Error) => !abort.aborted && sendError(res, '503 Service Unavailable', 'UNAVAILABLE', e.message),
      );
  });
}
