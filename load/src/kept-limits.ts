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
  return { refill: String(refill), capacity: String(refill * BURST_SECONDS) };
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
 * Service settings for kept limits at a knee of `kneePerSecond` operations/s with `mix`: each
 * per-credential bucket refills at what the knee's load spends from it (so twice the knee is
 * twice over it), with two seconds of burst. Per-address buckets are lifted: every agent of the
 * run comes from 127.0.0.1, which no deployment sees.
 */
export function keptLimitsEnv(kneePerSecond: number, mix: Mix): Record<string, string> {
  const frames = bucket(kneePerSecond * shareOf(mix, AGENT_FRAMES));
  // MCP requests: every mcp-tool call, and the half of upstream-tool calls that go over MCP.
  const mcp = bucket(kneePerSecond * shareOf(mix, { 'mcp-tool': 1, 'upstream-tool': 0.5 }));
  const a2a = bucket(kneePerSecond * shareOf(mix, { a2a: 1 }));
  const lifted = '10000000';
  return {
    SB_GATEWAY__RATE_LIMITS__PER_IP__CAPACITY: lifted,
    SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: lifted,
    SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: frames.capacity,
    SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: frames.refill,
    SB_TOOLS__MCP__RATE_LIMIT_PER_IP__CAPACITY: lifted,
    SB_TOOLS__MCP__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: lifted,
    SB_TOOLS__MCP__RATE_LIMIT__CAPACITY: mcp.capacity,
    SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: mcp.refill,
    SB_A2A__RATE_LIMIT_PER_IP__CAPACITY: lifted,
    SB_A2A__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: lifted,
    SB_A2A__RATE_LIMIT__CAPACITY: a2a.capacity,
    SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: a2a.refill,
  };
}

/** A sentence for the report on the limits a run had (`settings.rateLimits` of its result). */
export function rateLimitsText(rateLimits: unknown): string {
  if (typeof rateLimits !== 'object' || rateLimits === null) return 'Rate limits lifted.';
  const env = rateLimits as Record<string, string | undefined>;
  return `Rate limits kept, sized to the knee (per credential, burst twice the rate): gateway ${env.SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND} frames/s, MCP ${env.SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND} requests/s, A2A ${env.SB_A2A__RATE_LIMIT__REFILL_PER_SECOND} requests/s; per address lifted.`;
}
