import {
  assertAllowed,
  decodePrincipal,
  type OperatorScope,
  type Principal,
  resolvePrincipal,
} from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';

/** Who calls the router: the principal, and its agent id when it acts as an agent. */
export interface Caller {
  principal: Principal;
  agentId: string | null;
}

const AGENT_PREFIX = 'agent:';

// An agent sends the same header with every message: decode it once. The header is the whole
// principal, so a cached caller is exactly what decoding it again would give.
const KNOWN_CALLERS_MAX = 10_000;
const knownCallers = new Map<string, Caller>();

/**
 * Reads the caller from the `sb-principal` header (roles expanded).
 * @throws SbError `E_UNAUTHORIZED` when the header is missing or invalid.
 */
export function callerOf(header: string | undefined): Caller {
  const known = header === undefined ? undefined : knownCallers.get(header);
  if (known !== undefined) return known;
  const { principal } = resolvePrincipal(decodePrincipal(header));
  const caller = {
    principal,
    agentId: principal.id.startsWith(AGENT_PREFIX) ? principal.id.slice(AGENT_PREFIX.length) : null,
  };
  if (knownCallers.size >= KNOWN_CALLERS_MAX) knownCallers.clear();
  knownCallers.set(header as string, caller);
  return caller;
}

/**
 * The agent whose resources (subscriptions, dead letters) a call acts on. An agent acts on its
 * own (naming another is `E_FORBIDDEN`); an operator needs `scope`, and names the agent unless
 * `optional` (then undefined means every agent).
 */
export function subjectAgent(
  caller: Caller,
  requested: string | undefined,
  scope: OperatorScope,
  optional = false,
): string | undefined {
  if (caller.agentId !== null) {
    if (requested !== undefined && requested !== caller.agentId) {
      throw new SbError(
        'E_FORBIDDEN',
        `agent ${caller.agentId} may act only on its own messages, not on agent ${requested}'s`,
      );
    }
    return caller.agentId;
  }
  assertAllowed(caller.principal, { kind: 'operator', scope });
  if (requested === undefined && !optional) {
    throw new SbError('E_VALIDATION', 'name the agent (agentId): operators act on any agent');
  }
  return requested;
}
