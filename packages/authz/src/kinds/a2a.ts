import { SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/** Lets a principal reach the remote A2A peers whose registered name one of `peers` matches. */
export const A2aGrantSchema = z.strictObject({
  kind: z.literal('a2a'),
  peers: z.array(SubjectPatternSchema).min(1),
});

/** An `a2a` grant. */
export type A2aGrant = z.infer<typeof A2aGrantSchema>;

/** Sending to the remote A2A peer registered as `peer` (the `a2a:<peer>` recipient). */
export interface A2aRequest {
  readonly kind: 'a2a';
  readonly peer: string;
}

/** True when `grant` lets `request` through. */
export function a2aAllows(grant: A2aGrant, request: A2aRequest): boolean {
  return grant.peers.some((pattern) => subjectMatches(pattern, request.peer));
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function a2aDenial(request: A2aRequest): string {
  return `has no a2a grant for peer ${request.peer}`;
}
