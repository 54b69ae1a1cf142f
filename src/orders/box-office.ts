import { z } from 'zod';

// What the box office sends to sell at the window.

const id = z.string().min(1).max(128);

export const boxOfficeSchema = z
  .object({
    eventId: id,
    /** The operator's holds to sell; all their live holds of the event when absent. */
    holdIds: z.array(id).min(1).max(20).optional(),
    method: z.enum(['cash', 'card_present', 'comp']),
    /** The customer's, for the confirmation mail. */
    email: z.email().max(254),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();
export type BoxOfficeRequest = z.infer<typeof boxOfficeSchema>;
