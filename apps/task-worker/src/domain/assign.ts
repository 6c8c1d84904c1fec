import type { AssignmentStrategy } from '@switchboard/protocol';

/** An agent that may execute a type's task now. */
export interface Candidate {
  agentId: string;
  /** Tasks it runs now (this replica's picks of the round included). */
  running: number;
  /** Tasks it runs at most at once (what it declared). */
  capacity: number;
  /** Its share under the weighted strategy (its `weight` label; 1 without). */
  weight: number;
}

/**
 * What the strategies remember between picks, per task type: the round-robin position and the
 * smooth weighted round-robin counters. One per replica: replicas balance independently.
 */
export class AssignmentState {
  readonly cursors = new Map<string, number>();
  readonly credits = new Map<string, Map<string, number>>();
}

function roundRobin(type: string, open: Candidate[], state: AssignmentState): Candidate {
  const cursor = state.cursors.get(type) ?? 0;
  const picked = open[cursor % open.length] as Candidate;
  state.cursors.set(type, (cursor % open.length) + 1);
  return picked;
}

function leastLoaded(open: Candidate[]): Candidate {
  return open.reduce((best, candidate) => (candidate.running < best.running ? candidate : best));
}

// Smooth weighted round-robin (as nginx does it): every pick adds each agent's weight to its
// credit and takes the agent with the most, which then pays the total back. Over any run of
// picks each agent gets its share, interleaved rather than in bursts.
function weighted(type: string, open: Candidate[], state: AssignmentState): Candidate {
  let credits = state.credits.get(type);
  if (credits === undefined) {
    credits = new Map();
    state.credits.set(type, credits);
  }
  let total = 0;
  let best: Candidate | undefined;
  let bestCredit = Number.NEGATIVE_INFINITY;
  for (const candidate of open) {
    total += candidate.weight;
    const credit = (credits.get(candidate.agentId) ?? 0) + candidate.weight;
    credits.set(candidate.agentId, credit);
    if (credit > bestCredit) {
      best = candidate;
      bestCredit = credit;
    }
  }
  const picked = best as Candidate;
  credits.set(picked.agentId, bestCredit - total);
  return picked;
}

/**
 * Picks the executor of one task of `type` among `candidates` (ordered by agent id) that have
 * room (`running < capacity`), and counts the task in its `running`; undefined when none has
 * room. Round-robin takes them in turn; least-loaded the one running fewest tasks (the first by
 * agent id on a tie); weighted gives each a share proportional to its weight.
 */
export function pickExecutor(
  strategy: AssignmentStrategy,
  type: string,
  candidates: readonly Candidate[],
  state: AssignmentState,
): Candidate | undefined {
  const open = candidates.filter((candidate) => candidate.running < candidate.capacity);
  if (open.length === 0) return undefined;
  let picked: Candidate;
  switch (strategy) {
    case 'round_robin':
      picked = roundRobin(type, open, state);
      break;
    case 'least_loaded':
      picked = leastLoaded(open);
      break;
    case 'weighted':
      picked = weighted(type, open, state);
      break;
    default: {
      const unreachable: never = strategy;
      throw new Error(`unknown strategy ${String(unreachable)}`);
    }
  }
  picked.running += 1;
  return picked;
}

/** The weight an agent's labels give it: a positive number in its `weight` label, else 1. */
export function weightOf(labels: Record<string, string>): number {
  const weight = Number(labels.weight);
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}
