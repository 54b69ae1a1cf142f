import type { Chart } from '../domain/chart.ts';
import { generateChart, type VenueKind } from '../domain/chart-generator.ts';
import { AppError, quoted } from '../errors.ts';
import type { Router } from '../gateway/router.ts';
import { OPERATORS } from '../user.ts';
import type { DashboardPort } from './feed.ts';

// The console's reads that no other capability serves: the dashboard's figures over HTTP (the
// socket's `stats` message, for a first paint and for scripts) and the chart generator's
// templates, which an operator previews and starts a venue from.

const TEMPLATES: readonly VenueKind[] = ['theatre', 'arena', 'stadium'];
const NO_STORE = { 'cache-control': 'no-store' };

export function dashboardRoutes(router: Router, feed: DashboardPort): void {
  const charts = new Map<VenueKind, Chart>();
  router.get('/api/events/:id/dashboard', { auth: OPERATORS }, async (ctx) => {
    const stats = await feed.stats(ctx.params.id);
    if (!stats) throw new AppError('EVENT_NOT_FOUND', `no event ${quoted(ctx.params.id)}`);
    return { headers: NO_STORE, body: stats };
  });

  router.get('/api/chart-templates', { auth: OPERATORS }, async () => ({
    body: { templates: [...TEMPLATES] },
  }));

  router.get('/api/chart-templates/:kind', { auth: OPERATORS }, async (ctx) => {
    const kind = ctx.params.kind as VenueKind;
    if (!TEMPLATES.includes(kind))
      throw new AppError(
        'NOT_FOUND',
        `no chart template ${quoted(ctx.params.kind)}: ${TEMPLATES.join(', ')}`,
      );
    // Generating the stadium takes a while; a template never changes while the server runs.
    let chart = charts.get(kind);
    if (!chart) {
      chart = generateChart(kind);
      charts.set(kind, chart);
    }
    return { body: { chart } };
  });
}
