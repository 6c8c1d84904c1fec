import type { Principal } from '../principal.ts';

/** In `Principal.agentIds`: the credential may act as any agent id. */
export const ANY_AGENT = '*';

/**
 * Connecting or acting as agent `agentId`. Decided by `Principal.agentIds`, the binding of the
 * credential itself, never by a grant: roles are shared by many principals, so a role must not be
 * able to hand out agent identities.
 */
export interface AgentRequest {
  readonly kind: 'agent';
  readonly agentId: string;
}

/** True when the principal's credential is bound to the requested agent id (or to any). */
export function agentAllows(principal: Principal, request: AgentRequest): boolean {
  return principal.agentIds.some((id) => id === ANY_AGENT || id === request.agentId);
}

/** Why `principal` may not act as the agent; completes "principal <id> ...". */
export function agentDenial(principal: Principal, request: AgentRequest): string {
  const { type, id } = principal.credential;
  return `may not act as agent ${request.agentId}: credential ${type} ${id} is not bound to that agent id`;
}
