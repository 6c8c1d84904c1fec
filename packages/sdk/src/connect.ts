import type { AgentClient } from './agent-client.ts';
import { Client } from './client.ts';
import { type ConnectOptions, resolveOptions } from './options.ts';
import { resolveWebSocket } from './websocket.ts';

/**
 * Connects an agent to the gateway and registers it: resolves once the gateway has accepted
 * the registration (hello → welcome → register → result). From then on the client answers
 * heartbeats and reconnects after any drop, re-registering, until `close()`.
 *
 * Rejects with an `SbError`: the gateway's code and reason when it refuses the credential
 * (`E_UNAUTHORIZED`) or the agent id (`E_FORBIDDEN`), `E_VALIDATION` for bad options, and
 * `E_UNAVAILABLE` / `E_TIMEOUT` when the gateway stays unreachable for `connectTimeoutMs`.
 *
 * @example
 * ```ts
 * const client = await connect({
 *   url: 'ws://127.0.0.1:7700',
 *   apiKey: 'sbk_…', // an API key or a JWT (`token`), never in the URL
 *   agent: { id: 'planner-1', name: 'Planner', version: '1.0.0' },
 * });
 * client.on('disconnected', ({ code, reason, willReconnect }) => {
 *   if (!willReconnect) console.error(`disconnected for good: ${code} ${reason}`);
 * });
 * await client.close();
 * ```
 */
export async function connect(options: ConnectOptions): Promise<AgentClient> {
  const resolved = resolveOptions(options);
  const implementation = await resolveWebSocket(resolved.WebSocket);
  const client = new Client(resolved, implementation);
  await client.start();
  return client;
}
