import { encodePrincipal, type Principal, principalId } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import {
  type ErrorBody,
  fromErrorBody,
  isSbError,
  MAX_BATCH_ITEMS,
  type RpcDefinition,
  type ServiceFrame,
} from '@switchboard/protocol';
import type { AgentConnection } from './agent-connection.ts';
import { type ForwardRoute, forwardRouteOf } from './forward.ts';

/**
 * The `sb-principal` of a request made for the registered agent `agentId`: the connection's
 * credential acting as `agent:<agentId>`, which owns the scope `agent:<agentId>`.
 */
export function agentPrincipal(
  connection: Pick<AgentConnection, 'principal'>,
  agentId: string,
): string {
  // A connection's principal never changes (a changed credential closes the connection), so
  // its header is encoded once, not on every frame.
  const cached = encoded.get(connection.principal);
  if (cached?.agentId === agentId) return cached.header;
  const header = encodePrincipal({ ...connection.principal, id: principalId('agent', agentId) });
  encoded.set(connection.principal, { agentId, header });
  return header;
}

const encoded = new WeakMap<Principal, { agentId: string; header: string }>();

interface Waiting {
  request: unknown;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface Batch {
  route: ForwardRoute;
  principal: string;
  items: Waiting[];
}

type BatchAnswer = {
  results: Array<{ ok: true; result: unknown } | { ok: false; error: ErrorBody }>;
};

/**
 * Sends a frame's service RPC on behalf of the registered agent (see {@link agentPrincipal}).
 * Resolves with the RPC's result; rejects with the service's `SbError` (or the bus's
 * `E_TIMEOUT` / `E_UNAVAILABLE`). Frames of a route with a batch form (task submits and
 * completions) that one connection sends within a tick travel as one batch request, each
 * answered on its own; a batch too large for the bus goes again item by item.
 */
export function createServiceForwarder(bus: Bus) {
  const batches = new Map<AgentConnection, Map<ForwardRoute, Batch>>();
  let scheduled: NodeJS.Immediate | undefined;

  const single = (route: ForwardRoute, principal: string, request: unknown, timeoutMs?: number) =>
    bus.request(bus.subjects.rpc(route.service, route.rpc.operation), route.rpc, request, {
      principal,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });

  const settleEach = (batch: Batch) => {
    for (const item of batch.items) {
      single(batch.route, batch.principal, item.request).then(item.resolve, item.reject);
    }
  };

  const flush = (batch: Batch) => {
    const rpc = batch.route.batch as RpcDefinition;
    if (batch.items.length === 1) {
      settleEach(batch);
      return;
    }
    const request = { items: batch.items.map((item) => item.request) };
    bus
      .request(bus.subjects.rpc(batch.route.service, rpc.operation), rpc, request, {
        principal: batch.principal,
      })
      .then(
        (answer) => {
          (answer as BatchAnswer).results.forEach((result, index) => {
            const item = batch.items[index] as Waiting;
            if (result.ok) item.resolve(result.result);
            else item.reject(fromErrorBody(result.error));
          });
        },
        (error: unknown) => {
          if (isSbError(error) && error.code === 'E_PAYLOAD_TOO_LARGE') settleEach(batch);
          else for (const item of batch.items) item.reject(error);
        },
      );
  };

  const flushAll = () => {
    scheduled = undefined;
    const due = [...batches.values()].flatMap((byRoute) => [...byRoute.values()]);
    batches.clear();
    for (const batch of due) flush(batch);
  };

  const enqueue = (
    connection: AgentConnection,
    route: ForwardRoute,
    principal: string,
    request: unknown,
  ) =>
    new Promise<unknown>((resolve, reject) => {
      let byRoute = batches.get(connection);
      if (byRoute === undefined) {
        byRoute = new Map();
        batches.set(connection, byRoute);
      }
      let batch = byRoute.get(route);
      if (batch === undefined) {
        batch = { route, principal, items: [] };
        byRoute.set(route, batch);
      }
      batch.items.push({ request, resolve, reject });
      if (batch.items.length >= MAX_BATCH_ITEMS) {
        byRoute.delete(route);
        flush(batch);
      } else if (scheduled === undefined) {
        scheduled = setImmediate(flushAll);
      }
    });

  return (connection: AgentConnection, agentId: string, frame: ServiceFrame): Promise<unknown> => {
    const route = forwardRouteOf(frame);
    const principal = agentPrincipal(connection, agentId);
    const request = route.request(frame, agentId);
    if (route.batch !== undefined) return enqueue(connection, route, principal, request);
    return single(route, principal, request, route.timeoutMs?.(frame));
  };
}
