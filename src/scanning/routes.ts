import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Router } from '../gateway/router.ts';
import type { Role } from '../user.ts';
import type { Scanning } from './scanning.ts';

// Scanning over HTTP: the gates (scanners and operators) scan in and out, fetch the offline
// manifest and upload what they scanned offline; operators set re-entry and read the scans.

const SCANNERS: Role[] = ['scanner', 'operator', 'admin'];
const OPERATORS_ONLY: Role[] = ['operator', 'admin'];

const id = z.string().min(1).max(128);
const gate = z.string().min(1).max(64);
const payload = z.string().min(1).max(4096);

const scanSchema = z.object({ eventId: id, gate, payload }).strict();
const uploadSchema = z
  .object({
    eventId: id,
    gate,
    scans: z
      .array(
        z
          .object({
            nonce: z.string().min(1).max(128),
            payload,
            scannedAt: z.iso.datetime({ offset: true }),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();
const settingsSchema = z.object({ reentry: z.boolean() }).strict();

export interface ScanningRouteDeps {
  scanning: Scanning;
  /** EVENT_NOT_FOUND unless the event exists. */
  eventExists(eventId: string): Promise<void>;
}

function limitOf(raw: string | null): number {
  if (raw === null || raw === '') return 100;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
    throw new AppError('INVALID_QUERY', 'limit: a whole number from 1 to 1000');
  return Number(raw);
}

export function scanningRoutes(router: Router, deps: ScanningRouteDeps): void {
  const { scanning, eventExists } = deps;

  // No `write: true`: a gate scans hundreds of tickets a minute from one account and address.
  router.post('/api/scan', { auth: SCANNERS, body: scanSchema }, async (ctx) => ({
    body: { scan: await scanning.scanIn(ctx.body) },
  }));

  router.post('/api/scan/out', { auth: SCANNERS, body: scanSchema }, async (ctx) => ({
    body: { scan: await scanning.scanOut(ctx.body) },
  }));

  router.get('/api/events/:id/manifest', { auth: SCANNERS }, async (ctx) => {
    await eventExists(ctx.params.id);
    const { manifest, body } = await scanning.manifest(ctx.params.id);
    return {
      headers: { 'cache-control': 'no-store' },
      body: { manifest, issuedAt: body.issuedAt, tickets: body.tickets.length, revoked: body.revoked.length },
    };
  });

  router.post(
    '/api/scans/upload',
    { auth: SCANNERS, body: uploadSchema, maxBody: 4 * 1024 * 1024 },
    async (ctx) => {
      await eventExists(ctx.body.eventId);
      return { body: await scanning.upload(ctx.body.eventId, ctx.body.gate, ctx.body.scans) };
    },
  );

  router.get('/api/events/:id/scans', { auth: OPERATORS_ONLY }, async (ctx) => {
    await eventExists(ctx.params.id);
    const dup = ctx.query.get('duplicates');
    if (dup !== null && dup !== '0' && dup !== '1') throw new AppError('INVALID_QUERY', 'duplicates: 0 or 1');
    const scans = await scanning.store.list(ctx.params.id, {
      duplicates: dup === '1',
      limit: limitOf(ctx.query.get('limit')),
    });
    return { headers: { 'cache-control': 'no-store' }, body: { eventId: ctx.params.id, scans } };
  });

  router.get('/api/events/:id/scanning', { auth: SCANNERS }, async (ctx) => {
    await eventExists(ctx.params.id);
    return { body: { eventId: ctx.params.id, reentry: await scanning.store.reentry(ctx.params.id) } };
  });

  router.put(
    '/api/events/:id/scanning',
    { auth: OPERATORS_ONLY, write: true, body: settingsSchema },
    async (ctx) => {
      await eventExists(ctx.params.id);
      return {
        body: { eventId: ctx.params.id, reentry: await scanning.setReentry(ctx.params.id, ctx.body.reentry) },
      };
    },
  );
}
