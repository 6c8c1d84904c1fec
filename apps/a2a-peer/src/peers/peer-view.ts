import type { AgentCard } from '@a2a-js/sdk';
import type { PeerSkill, PeerStatus } from '@switchboard/protocol';

// What the a2a-peer needs to know of a remote card, and how a peer's health is judged. Pure.

/** The bindings we can call, best first. */
const BINDINGS = ['JSONRPC', 'HTTP+JSON'];

/** A card as the peer logic reads it. */
export interface PeerView {
  /** The interface we call: a v1.0 one when the card has one, else a v0.3 one. */
  endpoint: string;
  binding: string;
  protocolVersion: string;
  streaming: boolean;
  skills: PeerSkill[];
}

/** The card's interface we would call, or undefined when it has none we speak. */
export function preferredInterface(card: AgentCard) {
  const usable = card.supportedInterfaces.filter(
    (item) =>
      BINDINGS.includes(item.protocolBinding) && ['1.0', '0.3'].includes(item.protocolVersion),
  );
  const rank = (item: { protocolBinding: string; protocolVersion: string }) =>
    (item.protocolVersion === '1.0' ? 0 : 10) + BINDINGS.indexOf(item.protocolBinding);
  return [...usable].sort((a, b) => rank(a) - rank(b))[0];
}

/** The view of a card (endpoint, streaming, skills). */
export function peerViewOf(card: AgentCard): PeerView {
  const chosen = preferredInterface(card);
  return {
    endpoint: chosen?.url ?? '',
    binding: chosen?.protocolBinding ?? '',
    protocolVersion: chosen?.protocolVersion ?? '',
    streaming: card.capabilities?.streaming === true,
    skills: card.skills.map((skill) => ({
      id: skill.id,
      name: skill.name,
      description: skill.description,
      tags: skill.tags,
    })),
  };
}

/**
 * Why a card cannot be used, or undefined when it can: it needs a name and an interface we
 * speak (JSON-RPC or HTTP+JSON, v1.0 or v0.3) with an http(s) URL.
 */
export function cardProblem(card: AgentCard): string | undefined {
  if (card.name.trim() === '') return 'the card has no name';
  const chosen = preferredInterface(card);
  if (chosen === undefined) {
    return 'the card lists no JSON-RPC or HTTP+JSON interface of A2A 1.0 or 0.3';
  }
  if (!/^https?:\/\//.test(chosen.url)) return `the interface URL ${chosen.url} is not http(s)`;
  return undefined;
}

/** Health thresholds. */
export interface HealthSettings {
  /** A check slower than this marks the peer degraded. */
  degradedLatencyMs: number;
  /** Consecutive failed checks after which the peer is down (before: degraded). */
  downAfterFailures: number;
}

/**
 * A peer's status after a check: up when it answered in time, degraded when slow or after a
 * first failure, down after `downAfterFailures` failures in a row.
 */
export function statusAfterCheck(
  outcome: { ok: true; latencyMs: number } | { ok: false },
  failuresBefore: number,
  settings: HealthSettings,
): { status: PeerStatus; failures: number } {
  if (outcome.ok) {
    return {
      status: outcome.latencyMs > settings.degradedLatencyMs ? 'degraded' : 'up',
      failures: 0,
    };
  }
  const failures = failuresBefore + 1;
  return { status: failures >= settings.downAfterFailures ? 'down' : 'degraded', failures };
}

/** A peer as the load balancer sees it. */
export interface Candidate {
  name: string;
  status: PeerStatus;
  latencyMs: number | null;
  skills: readonly { id: string }[];
}

/**
 * The peer to send a skill to: among those whose card has the skill and that are not down, the
 * up ones (the degraded ones only when none is up), taken in turn (`turn` counts the sends).
 */
export function pickPeer(
  candidates: readonly Candidate[],
  skill: string,
  turn: number,
): Candidate | undefined {
  const able = candidates.filter(
    (peer) => peer.status !== 'down' && peer.skills.some((item) => item.id === skill),
  );
  if (able.length === 0) return undefined;
  const best = able.some((peer) => peer.status === 'up')
    ? able.filter((peer) => peer.status === 'up')
    : able;
  return best[turn % best.length];
}

/** What a published skill takes: text, structured data, or both. */
export const SKILL_TOOL_INPUT = {
  type: 'object',
  properties: {
    text: { type: 'string', description: 'What to ask, as text' },
    data: { description: 'Structured input, sent as a data part' },
  },
  additionalProperties: false,
} as const;

const TOKEN = /[^A-Za-z0-9_-]+/g;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const TAG = /^[a-z0-9][a-z0-9_.-]*$/;

/**
 * A peer's skills as tool definitions: `a2a.<peer>.<skill>` at the card's version (1.0.0 when it
 * is not semver), tagged `a2a` and with the skill's tags that are valid tool tags.
 */
export function toolsOfPeer(peer: string, card: AgentCard) {
  const version = SEMVER.test(card.version) ? card.version : '1.0.0';
  return card.skills.map((skill) => ({
    skill: skill.id,
    definition: {
      name: `a2a.${peer}.${skill.id.replace(TOKEN, '-').replace(/^-+|-+$/g, '') || 'skill'}`,
      version,
      description: `${skill.description || skill.name} (the A2A agent ${card.name})`,
      inputSchema: SKILL_TOOL_INPUT as unknown as Record<string, never>,
      tags: ['a2a', ...skill.tags.map((tag) => tag.toLowerCase()).filter((tag) => TAG.test(tag))],
    },
  }));
}
