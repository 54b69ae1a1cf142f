import { type EventStatus, TRANSITIONS } from '../../../src/catalog/schema.ts';

// The sale controls an event's status offers: publish, open, pause, close, each one move of
// the status the server allows (TRANSITIONS, the catalog's own table). Cancelling is apart:
// it refunds every paid order, so it has its own form. Pure.

export interface SaleAction {
  to: EventStatus;
  label: string;
  /** Asked before: a move that cannot be undone. */
  confirm?: string;
}

const LABELS: Partial<Record<EventStatus, Partial<Record<EventStatus, string>>>> = {
  draft: {
    scheduled: 'Publish',
    presale: 'Publish and open the presale',
    on_sale: 'Publish and open the sale',
  },
  scheduled: { presale: 'Open the presale', on_sale: 'Open the sale' },
  presale: { on_sale: 'Open the sale to everyone', paused: 'Pause the sale', sold_out: 'Mark sold out' },
  on_sale: { paused: 'Pause the sale', sold_out: 'Mark sold out', completed: 'Close the sale' },
  paused: { on_sale: 'Resume the sale', presale: 'Resume the presale', completed: 'Close the sale' },
  sold_out: { on_sale: 'Reopen the sale', completed: 'Close the sale' },
};

export const STATUS_TEXT: Record<EventStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  presale: 'Presale',
  on_sale: 'On sale',
  paused: 'Paused',
  sold_out: 'Sold out',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export function saleActions(status: EventStatus): SaleAction[] {
  const labels = LABELS[status] ?? {};
  return TRANSITIONS[status]
    .filter((to) => to !== 'cancelled' && labels[to])
    .map((to) => ({
      to,
      label: labels[to]!,
      confirm:
        to === 'completed' ? 'Close the sale for good? A completed event cannot sell again.' : undefined,
    }));
}

export function cancellable(status: EventStatus): boolean {
  return TRANSITIONS[status].includes('cancelled');
}
