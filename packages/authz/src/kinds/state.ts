import { SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/** What a state grant allows on a scope. */
export const StateAccessModes = ['read', 'write'] as const;

/** One of {@link StateAccessModes}. */
export type StateAccess = (typeof StateAccessModes)[number];

/** Lets a principal read and/or write shared state in the scopes one of `scopes` matches. */
export const StateGrantSchema = z.strictObject({
  kind: z.literal('state'),
  scopes: z.array(SubjectPatternSchema).min(1),
  access: z.array(z.enum(StateAccessModes)).min(1),
});

/** A `state` grant. */
export type StateGrant = z.infer<typeof StateGrantSchema>;

/** Reading or writing the shared state scope `scope` (a dotted name such as `team.alpha`). */
export interface StateRequest {
  readonly kind: 'state';
  readonly scope: string;
  readonly access: StateAccess;
}

/** True when `grant` lets `request` through. */
export function stateAllows(grant: StateGrant, request: StateRequest): boolean {
  return (
    grant.access.includes(request.access) &&
    grant.scopes.some((pattern) => subjectMatches(pattern, request.scope))
  );
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function stateDenial(request: StateRequest): string {
  return `has no state grant to ${request.access} scope ${request.scope}`;
}
