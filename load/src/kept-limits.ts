import { type Mix, type Operation, Operations } from './operations.ts';

// The rate limits a run keeps (`--keep-rate-limits true`), sized to the knee so that half of it
// passes and twice it does not: a stress run then shows the mesh shedding the overload with
// E_RATE_LIMITED instead of measuring the services' defaults, which one credential driving
// 1,000 agents reaches at a rate that has nothing to do with the mesh's capacity.

/**
 * Agent frames each operation costs the gateway's credential bucket. Answers to what the gateway
 * pushed (acks, nacks, task completions, tool results, heartbeats) pass free, so a message costs
 * its send whatever its fan-out, a request the send and the reply, a task its submit, watch and
 * unwatch, an SDK tool call its call, an A2A message the agent's one update, a remote A2A send
 * its send; an MCP call arrives over HTTP (none), an upstream tool call goes through the SDK
 * half the time. The default mix averages 1.19.
 */
export const AGENT_FRAMES: Record<Operation, number> = {
  direct: 1,
  topic: 1,
  broadcast: 1,
  request: 2,
  task: 3,
  tool: 1,
  'mcp-tool': 0,
  'upstream-tool': 0.5,
  'state-read': 1,
  'state-write': 1,
  a2a: 1,
  'a2a-remote': 1,
};
/** Seconds of the sustained rate a bucket holds as burst. */
const BURST_SECONDS = 2;

const bucket = (perSecond: number) => {
  const refill = Math.max(1, Math.round(perSecond));
  return { refill, capacity: refill * BURST_SECONDS };
};

/** The share of the mix's operations `names` make up (a name may count for part of its calls). */
export function shareOf(mix: Mix, parts: Partial<Record<keyof Mix, number>>): number {
  const total = Operations.reduce((sum, name) => sum + mix[name], 0);
  const weight = Object.entries(parts).reduce(
    (sum, [name, part]) => sum + mix[name as keyof Mix] * (part as number),
    0,
  );
  return weight / total;
}

/**
 * The live settings of kept limits at a knee of `kneePerSecond` operations/s with `mix`, by
 * setting path: each per-credential bucket refills at what the knee's load spends from it (so
 * twice the knee is twice over it), with two seconds of burst. A run applies them once its agents
 * are set up (connecting 1,000 agents is not the load being measured); until then, and for the
 * per-address buckets throughout, the limits are lifted: every agent of the run comes from
 * 127.0.0.1, which no deployment sees.
 */
export function keptLimits(kneePerSecond: number, mix: Mix): Record<string, number> {
  const frames = bucket(kneePerSecond * shareOf(mix, AGENT_FRAMES));
  // MCP requests: every mcp-tool call, and the half of upstream-tool calls that go over MCP.
  const mcp = bucket(kneePerSecond * shareOf(mix, { 'mcp-tool': 1, 'upstream-tool': 0.5 }));
  const a2a = bucket(kneePerSecond * shareOf(mix, { a2a: 1 }));
  return {
    'gateway.rateLimits.perCredential.capacity': frames.capacity,
    'gateway.rateLimits.perCredential.refillPerSecond': frames.refill,
    'tools.mcp.rateLimit.capacity': mcp.capacity,
    'tools.mcp.rateLimit.refillPerSecond': mcp.refill,
    'a2a.rateLimit.capacity': a2a.capacity,
    'a2a.rateLimit.refillPerSecond': a2a.refill,
  };
}

/** A sentence for the report on the limits a run had (`settings.rateLimits` of its result). */
export function rateLimitsText(rateLimits: unknown): string {
  if (typeof rateLimits !== 'object' || rateLimits === null) return 'Rate limits lifted.';
  const kept = rateLimits as Record<string, number | undefined>;
  return `Rate limits kept from the end of the set-up, sized to the knee (per credential, burst twice the rate): gateway ${kept['gateway.rateLimits.perCredential.refillPerSecond']} frames/s, MCP ${kept['tools.mcp.rateLimit.refillPerSecond']} requests/s, A2A ${kept['a2a.rateLimit.refillPerSecond']} requests/s; per address lifted.`;
}
