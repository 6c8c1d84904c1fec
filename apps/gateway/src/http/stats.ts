import type { Bus } from '@switchboard/bus';
import {
  type ErrorBody,
  ErrorBodySchema,
  type ServiceShortName,
  StatsRpc,
  serviceShortNames,
  toErrorBody,
} from '@switchboard/protocol';
import { z } from 'zod';

/** One service's figures, or why it gave none. */
export const ServiceStatsSchema = z.union([
  StatsRpc.response,
  z.strictObject({ error: ErrorBodySchema }),
]);

/** What a `stats` event carries: each service's answer, at one moment. */
export const StatsSnapshotSchema = z.strictObject({
  at: z.iso.datetime(),
  services: z.record(z.string(), ServiceStatsSchema),
});

/** A `stats` event's data (see {@link StatsSnapshotSchema}). */
export type StatsSnapshot = z.infer<typeof StatsSnapshotSchema>;

/**
 * Asks every service for `<ns>.v1.<short>.stats` at once (one replica of each answers). A
 * service that does not answer in `timeoutMs` is listed with its error (`E_UNAVAILABLE` when
 * none runs, `E_TIMEOUT` when it is slow) instead of failing the whole snapshot.
 */
export async function gatherStats(
  bus: Bus,
  options: { timeoutMs: number; principal?: string | undefined },
): Promise<StatsSnapshot> {
  const answers = await Promise.allSettled(
    serviceShortNames.map((short) =>
      bus.request(
        bus.subjects.rpc(short, StatsRpc.operation),
        StatsRpc,
        {},
        {
          timeoutMs: options.timeoutMs,
          ...(options.principal === undefined ? {} : { principal: options.principal }),
        },
      ),
    ),
  );
  const services: Record<string, z.infer<typeof ServiceStatsSchema>> = {};
  answers.forEach((answer, index) => {
    const short = serviceShortNames[index] as ServiceShortName;
    services[short] =
      answer.status === 'fulfilled'
        ? answer.value
        : { error: toErrorBody(answer.reason) satisfies ErrorBody };
  });
  return { at: new Date().toISOString(), services };
}
