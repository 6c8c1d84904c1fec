import { SbError } from '@switchboard/protocol';
import type { Grant, GrantKind, GrantOf } from './grant.ts';
import { a2aAllows, a2aDenial } from './kinds/a2a.ts';
import { agentAllows, agentDenial } from './kinds/agent.ts';
import { broadcastAllows, broadcastDenial } from './kinds/broadcast.ts';
import { operatorAllows, operatorDenial } from './kinds/operator.ts';
import { publishAllows, publishDenial } from './kinds/publish.ts';
import { stateAllows, stateDenial } from './kinds/state.ts';
import { subscribeAllows, subscribeDenial } from './kinds/subscribe.ts';
import { taskAllows, taskDenial } from './kinds/task.ts';
import { toolAllows, toolDenial } from './kinds/tool.ts';
import type { Principal } from './principal.ts';
import type { AuthzRequest, RequestOf } from './request.ts';

/** The outcome of {@link authorize}; a denial says why, in a sentence a person can act on. */
export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

const allowed: Decision = { allowed: true };

function isKind<K extends GrantKind>(grant: Grant, kind: K): grant is GrantOf<K> {
  return grant.kind === kind;
}

function decide<K extends GrantKind>(
  principal: Principal,
  kind: K,
  request: RequestOf<K>,
  allows: (grant: GrantOf<K>, request: RequestOf<K>) => boolean,
  denial: (request: RequestOf<K>) => string,
): Decision {
  for (const grant of principal.grants) {
    if (isKind(grant, kind) && allows(grant, request)) return allowed;
  }
  // The reason is built only on a denial: allowed requests are the hot path (router, per message).
  return { allowed: false, reason: `principal ${principal.id} ${denial(request)}` };
}

/**
 * Decides whether `principal` may do `request`: allowed only when one of its grants of the
 * request's kind covers it (an `agent` request: when its credential is bound to the agent id).
 * Evaluates `principal.grants` only, so pass a principal that went through `resolvePrincipal`
 * (the gateway does before encoding it). Tool versions are not evaluated here (see `ToolGrant`).
 */
export function authorize(principal: Principal, request: AuthzRequest): Decision {
  switch (request.kind) {
    case 'agent':
      return agentAllows(principal, request)
        ? allowed
        : {
            allowed: false,
            reason: `principal ${principal.id} ${agentDenial(principal, request)}`,
          };
    case 'publish':
      return decide(principal, 'publish', request, publishAllows, publishDenial);
    case 'subscribe':
      return decide(principal, 'subscribe', request, subscribeAllows, subscribeDenial);
    case 'broadcast':
      return decide(principal, 'broadcast', request, broadcastAllows, broadcastDenial);
    case 'operator':
      return decide(principal, 'operator', request, operatorAllows, operatorDenial);
    case 'tool':
      return decide(principal, 'tool', request, toolAllows, toolDenial);
    case 'state':
      return decide(principal, 'state', request, stateAllows, stateDenial);
    case 'task':
      return decide(principal, 'task', request, taskAllows, taskDenial);
    case 'a2a':
      return decide(principal, 'a2a', request, a2aAllows, a2aDenial);
    default:
      return assertNever(request);
  }
}

function assertNever(request: never): never {
  throw new SbError(
    'E_INTERNAL',
    `unknown authorization request kind in ${JSON.stringify(request)}`,
  );
}

/**
 * Like {@link authorize}, but throws `SbError('E_FORBIDDEN', reason)` on a denial, with the
 * principal id and the request kind in `details`.
 */
export function assertAllowed(principal: Principal, request: AuthzRequest): void {
  const decision = authorize(principal, request);
  if (!decision.allowed) {
    throw new SbError('E_FORBIDDEN', decision.reason, {
      details: { principal: principal.id, kind: request.kind },
    });
  }
}
