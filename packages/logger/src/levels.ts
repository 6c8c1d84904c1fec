import { z } from 'zod';

/** Log levels a logger accepts, most verbose first; `silent` turns logging off. */
export const LogLevelSchema = z.enum([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
]);

/** One of the levels in {@link LogLevelSchema}. */
export type LogLevel = z.infer<typeof LogLevelSchema>;
