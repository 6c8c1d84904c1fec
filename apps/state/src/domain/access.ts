import {
  assertAllowed,
  decodePrincipal,
  resolvePrincipal,
  type StateAccess,
} from '@switchboard/authz';
import { agentScope } from '@switchboard/protocol';

/**
 * Checks that the caller in the `sb-principal` header may `access` `scope` and returns its id.
 * An agent always reads and writes its own scope `agent:<id>` (agents own their state); any
 * other scope needs a `state` grant (admins have one over every scope).
 * @throws SbError `E_UNAUTHORIZED` (no or bad header) or `E_FORBIDDEN` (no grant covers it).
 */
export function authorizeState(
  header: string | undefined,
  scope: string,
  access: StateAccess,
): string {
  const { principal } = resolvePrincipal(decodePrincipal(header));
  if (principal.id.startsWith('agent:') && agentScope(principal.id.slice(6)) === scope) {
    return principal.id;
  }
  assertAllowed(principal, { kind: 'state', scope, access });
  return principal.id;
}
