import { assertAllowed, type OperatorScope } from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';

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
