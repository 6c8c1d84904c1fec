import { assertAllowed, type TaskAction } from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';

/**
 * Checks that the caller may `action` tasks of `type`: an agent by its `task` grants; an
 * operator reads with the scope `tasks:read` (operators observe every type), and changes
 * (submit, cancel) with `tasks:write` plus a `task` grant covering the type, so an operator key
 * is bounded by task types as an agent is (the admin role holds every type).
 * @throws SbError `E_FORBIDDEN`.
 */
export function assertTaskAccess(caller: Caller, type: string, action: TaskAction): void {
  if (caller.agentId !== null) {
    assertAllowed(caller.principal, { kind: 'task', type, action });
    return;
  }
  if (action === 'read') {
    assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:read' });
    return;
  }
  assertAllowed(caller.principal, { kind: 'operator', scope: 'tasks:write' });
  assertAllowed(caller.principal, { kind: 'task', type, action });
}

/** The agent behind an executor's call; operators do not execute tasks. */
export function executingAgent(caller: Caller): string {
  if (caller.agentId === null) {
    throw new SbError('E_FORBIDDEN', 'only the agent executing a task reports on it');
  }
  return caller.agentId;
}
