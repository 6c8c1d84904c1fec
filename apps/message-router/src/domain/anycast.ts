import type { AnycastStrategy } from '@switchboard/protocol';

/** An agent that could take an anycast message. */
export interface AnycastCandidate {
  agentId: string;
  /** Unacked deliveries (queued or in flight) it holds now. */
  load: number;
  /** Its share under the weighted strategy (label `weight`, default 1). */
  weight: number;
}

/** What a pick needs besides the candidates: a turn counter and a random source. */
export interface PickContext {
  /** Advances the round-robin turn of a capability and returns the previous value. */
  nextTurn(key: string): number;
  random(): number;
}

/** The label an agent sets to get a larger share of weighted anycasts. */
export const WEIGHT_LABEL = 'weight';

/** An agent's weight from its labels: a positive number, 1 when absent or not a number. */
export function weightOf(labels: Record<string, string>): number {
  const weight = Number(labels[WEIGHT_LABEL]);
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}

/**
 * Picks the one recipient of an anycast among `candidates` (sorted by id for a stable order), or
 * undefined when there is none.
 */
export function pickAnycast(
  candidates: readonly AnycastCandidate[],
  strategy: AnycastStrategy,
  turnKey: string,
  context: PickContext,
): string | undefined {
  if (candidates.length === 0) return undefined;
  const sorted = [...candidates].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  switch (strategy) {
    case 'round_robin':
      return sorted[context.nextTurn(turnKey) % sorted.length]?.agentId;
    case 'least_loaded': {
      // Ties go round-robin, so equally idle agents share the work.
      const least = Math.min(...sorted.map((candidate) => candidate.load));
      const idle = sorted.filter((candidate) => candidate.load === least);
      return idle[context.nextTurn(turnKey) % idle.length]?.agentId;
    }
    case 'weighted': {
      const total = sorted.reduce((sum, candidate) => sum + candidate.weight, 0);
      let point = context.random() * total;
      for (const candidate of sorted) {
        point -= candidate.weight;
        if (point < 0) return candidate.agentId;
      }
      return sorted.at(-1)?.agentId;
    }
  }
}
