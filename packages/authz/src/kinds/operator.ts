import { z } from 'zod';

/**
 * Every operator scope, `<resource>:<read|write>`. A later issue adds its own here
 * (`tasks:write`, `tools:write`, ...); the built-in observer role picks up new `:read` scopes.
 */
export const OperatorScopes = [
  'agents:read',
  'agents:write',
  'keys:read',
  'keys:write',
  'config:read',
  'config:write',
  'events:read',
  'messages:read',
  'messages:write',
  // Tasks.
  'tasks:read',
  'tasks:write',
  // Tools.
  'tools:read',
  'tools:write',
  // A2A peers and the agent directory.
  'peers:read',
  'peers:write',
  // Moving stored payloads to the active encryption key.
  'payloads:write',
  // Security events and alerts (GET /v1/security/events).
  'security:read',
] as const;

/** One of {@link OperatorScopes}. */
export type OperatorScope = (typeof OperatorScopes)[number];

/** The scope that grants every operator scope, present and future (admin). */
export const ALL_OPERATOR_SCOPES = '*';

/** Lets a principal use the operator API (HTTP, CLI, console) within `scopes`. */
export const OperatorGrantSchema = z.strictObject({
  kind: z.literal('operator'),
  scopes: z.array(z.enum([...OperatorScopes, ALL_OPERATOR_SCOPES])).min(1),
});

/** An `operator` grant. */
export type OperatorGrant = z.infer<typeof OperatorGrantSchema>;

/** An operator action that needs `scope`. */
export interface OperatorRequest {
  readonly kind: 'operator';
  readonly scope: OperatorScope;
}

/** True when `grant` lets `request` through. */
export function operatorAllows(grant: OperatorGrant, request: OperatorRequest): boolean {
  return grant.scopes.some((scope) => scope === ALL_OPERATOR_SCOPES || scope === request.scope);
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function operatorDenial(request: OperatorRequest): string {
  return `has no operator grant with scope ${request.scope}`;
}
