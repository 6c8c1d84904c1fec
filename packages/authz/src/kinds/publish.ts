import { isValidSubject, SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/** Lets a principal publish to every topic matched by one of `topics`. */
export const PublishGrantSchema = z.strictObject({
  kind: z.literal('publish'),
  topics: z.array(SubjectPatternSchema).min(1),
});

/** A `publish` grant. */
export type PublishGrant = z.infer<typeof PublishGrantSchema>;

/** Publishing one message to a concrete topic (wildcards cannot be published to). */
export interface PublishRequest {
  readonly kind: 'publish';
  readonly topic: string;
}

/** True when `grant` lets `request` through. */
export function publishAllows(grant: PublishGrant, request: PublishRequest): boolean {
  return grant.topics.some((pattern) => subjectMatches(pattern, request.topic));
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function publishDenial(request: PublishRequest): string {
  return isValidSubject(request.topic)
    ? `has no publish grant covering topic ${request.topic}`
    : `cannot publish to ${request.topic}: a topic is dot-separated non-empty tokens without wildcards`;
}
