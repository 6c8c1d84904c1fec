import type { BucketLimit } from '@switchboard/cache';
import { z } from 'zod';

/**
 * The bucket of a principal with `roles`: the most generous (highest sustained rate, then
 * largest burst) of those its roles have in `byRole`, else `fallback`.
 */
export function limitForRoles(
  roles: readonly string[],
  byRole: Readonly<Record<string, BucketLimit>>,
  fallback: BucketLimit,
): BucketLimit {
  let best: BucketLimit | undefined;
  for (const role of roles) {
    const limit = Object.hasOwn(byRole, role) ? byRole[role] : undefined;
    if (limit === undefined) continue;
    if (
      best === undefined ||
      limit.refillPerSecond > best.refillPerSecond ||
      (limit.refillPerSecond === best.refillPerSecond && limit.capacity > best.capacity)
    ) {
      best = limit;
    }
  }
  return best ?? fallback;
}

/** One token bucket as a setting (no defaults: every field of a per-role entry is given). */
export const BucketLimitSchema = z.strictObject({
  capacity: z.int().min(1).max(10_000_000).describe('Burst size, in tokens'),
  refillPerSecond: z
    .number()
    .positive()
    .max(10_000_000)
    .describe('Sustained rate, in tokens per second'),
});

/**
 * One token bucket as a setting with defaults: `what` names what it counts ("MCP requests one
 * credential"), in the descriptions the configuration guide shows.
 */
export function bucketLimitSetting(what: string, defaults: BucketLimit) {
  return z
    .strictObject({
      capacity: BucketLimitSchema.shape.capacity
        .default(defaults.capacity)
        .describe(`${what} may burst`),
      refillPerSecond: BucketLimitSchema.shape.refillPerSecond
        .default(defaults.refillPerSecond)
        .describe(`${what} sustains per second`),
    })
    .prefault({});
}

/**
 * A setting mapping role names to buckets, for {@link limitForRoles}: a principal with several
 * roles gets the most generous; one with none listed gets the default bucket.
 */
export function roleLimitsSetting() {
  return z
    .record(z.string().min(1).max(64), BucketLimitSchema)
    .default({})
    .describe('Buckets by role, JSON {role: {capacity, refillPerSecond}}; most generous role wins');
}
