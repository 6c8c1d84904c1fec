import { z } from 'zod';

/** The operations the generator offers, each measured in its own histogram. */
export const Operations = [
  'direct',
  'topic',
  'broadcast',
  'request',
  'task',
  'tool',
  'mcp-tool',
  'upstream-tool',
  'state-read',
  'state-write',
  'a2a',
  'a2a-remote',
] as const;

/** One operation of the mix. */
export type Operation = (typeof Operations)[number];

/** Relative weights of the operations; 0 leaves one out. */
export type Mix = Record<Operation, number>;

/**
 * The default mix: mostly messages, some of every other path. Broadcasts reach every agent, so
 * they are rare: at 1,000 agents one broadcast is a thousand deliveries.
 */
export const DEFAULT_MIX: Mix = {
  direct: 30,
  topic: 15,
  broadcast: 0.05,
  request: 10,
  task: 8,
  tool: 8,
  'mcp-tool': 4,
  'upstream-tool': 4,
  'state-read': 10,
  'state-write': 10,
  a2a: 4,
  'a2a-remote': 2,
};

const OperationSchema = z.enum(Operations);

/**
 * Reads `direct=30,topic=10,...` (operations left out keep their default weight; `only=a,b`
 * style is `a=1,b=1` with `--only`) into a mix.
 * @throws Error naming the bad entry.
 */
export function parseMix(text: string, base: Mix = DEFAULT_MIX): Mix {
  const mix = { ...base };
  for (const entry of text.split(',').filter((part) => part.trim() !== '')) {
    const [name, weight] = entry.split('=').map((part) => part.trim());
    const operation = OperationSchema.safeParse(name);
    const value = Number(weight);
    if (!operation.success || weight === undefined || !Number.isFinite(value) || value < 0) {
      throw new Error(
        `bad mix entry "${entry}": write <operation>=<weight ≥ 0>, operations: ${Operations.join(', ')}`,
      );
    }
    mix[operation.data] = value;
  }
  if (Operations.every((name) => mix[name] === 0)) {
    throw new Error('the mix has no operation with a weight above 0');
  }
  return mix;
}

/**
 * A picker over the mix: given a number in [0, 1) it returns the operation whose share of the
 * total weight covers it, so a uniform random source yields the mix's proportions.
 */
export function operationPicker(mix: Mix): (random: number) => Operation {
  const total = Operations.reduce((sum, name) => sum + mix[name], 0);
  const bounds: Array<[number, Operation]> = [];
  let reached = 0;
  for (const name of Operations) {
    if (mix[name] === 0) continue;
    reached += mix[name] / total;
    bounds.push([reached, name]);
  }
  return (random) => {
    for (const [bound, name] of bounds) if (random < bound) return name;
    // Rounding can leave the last bound a hair under 1.
    return (bounds.at(-1) as [number, Operation])[1];
  };
}
