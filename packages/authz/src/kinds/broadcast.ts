import { SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/**
 * Lets a principal broadcast. Without `capabilities`, to every agent; with them, only broadcasts
 * narrowed to a capability one of these patterns matches.
 */
export const BroadcastGrantSchema = z.strictObject({
  kind: z.literal('broadcast'),
  capabilities: z.array(SubjectPatternSchema).min(1).optional(),
});

/** A `broadcast` grant. */
export type BroadcastGrant = z.infer<typeof BroadcastGrantSchema>;

/**
 * Broadcasting a message, to every agent or (with `capability`) to the agents that have it.
 * A broadcast narrowed only by label counts as one to every agent.
 */
export interface BroadcastRequest {
  readonly kind: 'broadcast';
  readonly capability?: string;
}

/** True when `grant` lets `request` through. */
export function broadcastAllows(grant: BroadcastGrant, request: BroadcastRequest): boolean {
  if (grant.capabilities === undefined) return true;
  const { capability } = request;
  return (
    capability !== undefined &&
    grant.capabilities.some((pattern) => subjectMatches(pattern, capability))
  );
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function broadcastDenial(request: BroadcastRequest): string {
  return request.capability === undefined
    ? 'has no broadcast grant to every agent'
    : `has no broadcast grant for capability ${request.capability}`;
}
