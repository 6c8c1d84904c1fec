/**
 * The embedded subset (the tag of the tests that make sense in one process): `SB_MODE=embedded
 * pnpm test` runs exactly these files, against an embedded Postgres and each file's in-process
 * bus and cache; `pnpm test` runs them with every other file against the real services. A
 * file belongs here when its services run in the test's process (built with the context's
 * connections) and it needs no second process, no SIGKILL and no infrastructure fault (a Redis
 * wipe, a NATS outage). Paths from the repository root.
 */
export const EMBEDDED_SUBSET: readonly string[] = [
  // The bootstrap over injected connections; the embedded runtime and `switchboard dev` with
  // SDK agents exchanging messages, tasks and tool calls.
  'packages/service/src/injected-connections.test.ts',
  'packages/embedded/src/embedded-mesh.test.ts',
  'packages/cli/src/dev.test.ts',
  // State: documents' history and retention, the lifecycle, summaries and watches.
  'apps/state/src/lifecycle.test.ts',
  'apps/state/src/retention.test.ts',
  'apps/state/src/handlers/state-summary.test.ts',
  'apps/state/src/handlers/state-watch.test.ts',
  // Router: routing, delivery with acks and retries, queries and retention.
  'apps/message-router/src/routing.test.ts',
  'apps/message-router/src/delivery.test.ts',
  'apps/message-router/src/queries.test.ts',
  'apps/message-router/src/retention.test.ts',
  // Gateway: agents over WebSocket, the operator API, forwarding to the services.
  'apps/gateway/src/auth/credential-resolver.test.ts',
  'apps/gateway/src/auth/rate-limit.test.ts',
  'apps/gateway/src/http/agents-api.test.ts',
  'apps/gateway/src/http/operator-api.test.ts',
  'apps/gateway/src/messaging/ack-forwarder.test.ts',
  'apps/gateway/src/messaging/delivery-endpoint.test.ts',
  'apps/gateway/src/ws/message-frames.test.ts',
  'apps/gateway/src/ws/service-forwarder.test.ts',
  // Tasks through SDK agents and gateways: lifecycle, scheduling, balancing, the operator API.
  'apps/task-worker/src/lifecycle.test.ts',
  'apps/task-worker/src/scheduling.test.ts',
  'apps/task-worker/src/balancing.test.ts',
  'apps/task-worker/src/operator-api.test.ts',
  // Tools: invocation through agents, MCP, upstream MCP servers, figures and the audit trail.
  'apps/tool-registry/src/invocation.test.ts',
  'apps/tool-registry/src/monitoring.test.ts',
  'apps/tool-registry/src/mcp.test.ts',
  'apps/tool-registry/src/upstream.test.ts',
  // Signed principals enforced by every service of one mesh.
  'apps/tool-registry/src/principal-signatures.test.ts',
  // A2A: serving agents to the official SDK client (both bindings, v0.3, streaming, push,
  // signed cards), calling remote A2A agents (peers, health, resuming after a restart).
  'apps/a2a-peer/src/serve.test.ts',
  'apps/a2a-peer/src/tasks.test.ts',
  'apps/a2a-peer/src/peers.test.ts',
];
