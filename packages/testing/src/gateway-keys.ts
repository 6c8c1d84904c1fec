import type { Grant } from '@switchboard/authz';

// For tests and benchmarks that run a real gateway process and connect agents to it.

/** Gateway settings that lift the rate limits: every test connection shares one address and key. */
export const liftedGatewayLimits = {
  SB_GATEWAY__RATE_LIMITS__PER_IP__CAPACITY: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '10000000',
};

/**
 * Creates an API key that may act as any agent id, with `grants`, through the operator API of
 * the gateway on `port` (authenticated with `adminToken`); resolves with its token.
 */
export async function createAgentKey(
  port: number,
  adminToken: string,
  grants: Grant[] = [],
): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'agents', agentIds: ['*'], grants }),
  });
  if (response.status !== 201) throw new Error(`key not created: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
