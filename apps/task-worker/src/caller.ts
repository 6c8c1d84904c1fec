import { assertAllowed, type TaskAction } from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';

/**
 * Checks that the caller may `action` tasks of `type`: an agent by its `task` grants, an
 * operator by the scope `tasks:read` (reading) or `tasks:write` (anything else).
 * @throws SbError `E_FORBIDDEN`.
 */
export function assertTaskAccess(caller: Caller, type: string, action: TaskAction): void {
  if (caller.agentId !== null) {
    assertAllowed(caller.principal, { kind: 'task', type, action });
    return;
  }
  assertAllowed(caller.principal, {
    kind: 'operator',
    scope: action === 'read' ? 'tasks:read' : 'tasks:write',
  });
}

/** The agent behind an executor's call; operators do not execute tasks. */
export function executingAgent(caller: Caller): string {
  if (caller.agentId === null) {
    throw new SbError('E_FORBIDDEN', 'only the agent executing a task reports on it');
  }
  return caller.agentId;
}
