import { encodePrincipal, type Grant } from '@switchboard/authz';

// The `sb-principal` headers tests send to a service directly, as the gateway would attach them.

/** An agent acting as itself (credential bound to that id), with `grants`. */
export function agentPrincipal(agentId: string, grants: Grant[] = []): string {
  return encodePrincipal({
    id: `agent:${agentId}`,
    credential: { type: 'api_key', id: 'k_agents' },
    agentIds: [agentId],
    roles: [],
    grants,
  });
}

/** An operator API key with `roles` and `grants`. */
export function keyPrincipal(keyId: string, roles: string[], grants: Grant[] = []): string {
  return encodePrincipal({
    id: `key:${keyId}`,
    credential: { type: 'api_key', id: keyId },
    agentIds: [],
    roles,
    grants,
  });
}
