import { isValidSubjectPattern, patternCovers, SubjectPatternSchema } from '@switchboard/protocol';
import { z } from 'zod';

/** Lets a principal subscribe with any pattern that one of `topics` covers. */
export const SubscribeGrantSchema = z.strictObject({
  kind: z.literal('subscribe'),
  topics: z.array(SubjectPatternSchema).min(1),
});

/** A `subscribe` grant. */
export type SubscribeGrant = z.infer<typeof SubscribeGrantSchema>;

/**
 * Subscribing with `topic`, itself a pattern: allowed only when a granted pattern covers every
 * subject it matches (`a.>` covers `a.b.*`; `a.*` does not cover `a.>`).
 */
export interface SubscribeRequest {
  readonly kind: 'subscribe';
  readonly topic: string;
}

/** True when `grant` lets `request` through. */
export function subscribeAllows(grant: SubscribeGrant, request: SubscribeRequest): boolean {
  return grant.topics.some((pattern) => patternCovers(pattern, request.topic));
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function subscribeDenial(request: SubscribeRequest): string {
  return isValidSubjectPattern(request.topic)
    ? `has no subscribe grant covering topic pattern ${request.topic}`
    : `cannot subscribe to ${request.topic}: a topic pattern is dot-separated non-empty tokens, with * for one token and > for the rest as the last token`;
}
