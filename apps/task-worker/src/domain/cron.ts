import { SbError } from '@switchboard/protocol';
import { CronExpressionParser } from 'cron-parser';

/**
 * The first tick of `cron` (5 fields, or 6 with seconds first) read in `timezone` strictly after
 * `after`.
 * @throws SbError `E_VALIDATION` for an expression or time zone cron-parser refuses.
 */
export function nextTick(cron: string, timezone: string, after: Date): Date {
  try {
    return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
  } catch (error) {
    throw new SbError(
      'E_VALIDATION',
      `cron ${JSON.stringify(cron)} in time zone ${timezone} cannot be read: ${(error as Error).message}`,
      { details: { path: '/cron' } },
    );
  }
}
