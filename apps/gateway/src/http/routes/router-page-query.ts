import { MAX_ROUTER_PAGE } from '@switchboard/protocol';
import { z } from 'zod';

/** `?limit=&cursor=` of the router's listings (pages of up to {@link MAX_ROUTER_PAGE}). */
export const RouterPageQueryShape = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ROUTER_PAGE)
    .default(50)
    .describe(`Items per page (1 to ${MAX_ROUTER_PAGE}, default 50)`),
  cursor: z
    .string()
    .max(40)
    .regex(/^\d+$/, 'use the `nextCursor` of the previous page')
    .optional()
    .describe('`nextCursor` of the previous page; omit for the newest items'),
};
