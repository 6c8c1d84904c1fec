import { sweepSettings } from '@switchboard/service';
import { z } from 'zod';

const ms = (min: number, max: number, value: number, description: string) =>
  z.int().min(min).max(max).default(value).describe(description);

const detector = (threshold: number, windowMs: number, what: string) =>
  z
    .strictObject({
      threshold: z
        .int()
        .min(2)
        .max(1_000_000)
        .default(threshold)
        .describe(`How many ${what} in one window raise an alert`),
      windowMs: ms(100, 86_400_000, windowMs, `Length of the window ${what} are counted in, in ms`),
    })
    .prefault({});

/**
 * The gateway's security settings: `gateway.security` (`SB_GATEWAY__SECURITY__*`), every one
 * live: how long security events are kept, and the detectors that raise alerts over them.
 */
export const securitySettings = z
  .strictObject({
    retentionMs: ms(
      60_000,
      3_650 * 86_400_000,
      30 * 86_400_000,
      'How long stored security events are kept, in ms',
    ),
    ...sweepSettings({
      interval: 'How often a replica deletes security events older than retentionMs, in ms',
      batch: 'Security events one retention statement deletes at most',
    }),
    rateLimitReportIntervalMs: ms(
      0,
      3_600_000,
      1000,
      'At most one rate_limited event per credential (or address) and path in this long; every hit is still counted in sb_rate_limit_hits_total, in ms',
    ),
    authFailureSpike: detector(
      20,
      60_000,
      'authentication failures from one client address or of one credential',
    ),
    keyManyIps: detector(5, 60_000, 'distinct client addresses using one credential'),
  })
  .prefault({});

/** The settings of `gateway.security`. */
export type SecuritySettings = z.infer<typeof securitySettings>;
