import { readdirSync, readFileSync } from 'node:fs';
import type { Grant } from '@switchboard/authz';

// What the scenarios that run the real mesh share: lifted gateway limits, an agent key, and
// reading processes' CPU time from /proc.

/** One address and one credential open every benchmark connection: lift their limits. */
export const liftedGatewayLimits = {
  SB_GATEWAY__RATE_LIMITS__PER_IP__CAPACITY: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '10000000',
  SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '10000000',
};

/** Creates an API key for any agent id with `grants`, through the gateway's operator API. */
export async function createAgentKey(
  port: number,
  adminToken: string,
  grants: Grant[] = [],
): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', agentIds: ['*'], grants }),
  });
  if (response.status !== 201) throw new Error(`key not created: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The pids of running processes whose command name is `name` (postgres, nats-server, ...). */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}
