import { z } from 'zod';

/**
 * Settings of the operator live channel `GET /v1/events`: the gateway's config section
 * `gateway.events` (`SB_GATEWAY__EVENTS__*`), every one live.
 */
export const eventStreamSettings = z
  .strictObject({
    statsIntervalMs: z
      .int()
      .min(10)
      .max(3_600_000)
      .default(5000)
      .describe('How often `GET /v1/events` sends each client a `stats` event, in ms'),
    statsTimeoutMs: z
      .int()
      .min(10)
      .max(60_000)
      .default(2000)
      .describe('How long a `stats` event waits for each service (one missing is noted), in ms'),
    heartbeatIntervalMs: z
      .int()
      .min(10)
      .max(600_000)
      .default(15_000)
      .describe('How often `GET /v1/events` sends a comment line so proxies keep it open, in ms'),
    maxBufferedBytes: z
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Bytes waiting for a slow `GET /v1/events` client before its stream is closed'),
  })
  .prefault({});

/** The settings of `GET /v1/events`. */
export type EventStreamSettings = z.infer<typeof eventStreamSettings>;

/** Settings of the console's sessions: `gateway.session` (`SB_GATEWAY__SESSION__*`). */
export const sessionSettings = z
  .strictObject({
    ttlMs: z
      .int()
      .min(1000)
      .max(30 * 86_400_000)
      .default(8 * 3_600_000)
      .describe('How long a console session lasts after sign-in (no sliding renewal), in ms'),
  })
  .prefault({});

/** The settings of console sessions. */
export type SessionSettings = z.infer<typeof sessionSettings>;

/** Settings of the stats the gateway keeps for the console's overview: `gateway.overview`. */
export const overviewSettings = z
  .strictObject({
    sampleIntervalMs: z
      .int()
      .min(10)
      .max(3_600_000)
      .default(5000)
      .describe("How often each gateway samples every service's stats for `GET /v1/stats`, in ms"),
    windowMs: z
      .int()
      .min(1000)
      .max(86_400_000)
      .default(900_000)
      .describe('How far back `GET /v1/stats` keeps the samples (the overview charts), in ms'),
  })
  .prefault({});

/** The settings of the kept stats. */
export type OverviewSettings = z.infer<typeof overviewSettings>;
