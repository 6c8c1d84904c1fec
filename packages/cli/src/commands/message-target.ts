import type { AnycastStrategy, MessageTarget } from '@switchboard/protocol';
import { CliError } from '../client.ts';

/** The options of `send` that narrow a broadcast or an anycast. */
export interface TargetOptions {
  capability?: string | undefined;
  labels?: Record<string, string> | undefined;
  strategy?: AnycastStrategy | undefined;
}

const usage = 'use agent:<id>, topic:<topic>, broadcast or anycast:<capability>';

function refuse(message: string): never {
  throw new CliError('E_VALIDATION', message);
}

/** The part after `kind:`, refusing none or an empty one. */
function named(value: string | undefined, kind: string, what: string): string {
  if (value === undefined || value === '') refuse(`name the ${what} after ${kind}: (${usage})`);
  return value;
}

/**
 * A `send` target typed on the command line: `agent:<id>`, `topic:<topic>`, `broadcast` (with
 * `--capability` and `--label`) or `anycast:<capability>` (with `--label` and `--strategy`). An
 * option that does not fit the target is refused rather than ignored. The gateway validates the
 * names themselves.
 */
export function parseTarget(text: string, options: TargetOptions = {}): MessageTarget {
  const { capability, labels, strategy } = options;
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? undefined : text.slice(colon + 1);
  if (capability !== undefined && kind !== 'broadcast') {
    refuse('--capability narrows a broadcast; an anycast names its capability: anycast:<name>');
  }
  if (strategy !== undefined && kind !== 'anycast') {
    refuse('--strategy picks the recipient of an anycast:<capability>');
  }
  if (labels !== undefined && kind !== 'broadcast' && kind !== 'anycast') {
    refuse('--label narrows a broadcast or an anycast');
  }
  if (kind === 'agent') return { kind, agentId: named(value, kind, 'agent') };
  if (kind === 'topic') return { kind, topic: named(value, kind, 'topic') };
  if (kind === 'anycast') {
    return { kind, capability: named(value, kind, 'capability'), labels, strategy };
  }
  if (kind === 'broadcast' && value === undefined) return { kind, capability, labels };
  return refuse(`unknown target ${text}: ${usage}`);
}

/** `(capability=plan,team=ops)` of the given settings and labels; empty when there are none. */
function narrowing(
  settings: Record<string, string | undefined>,
  labels: Record<string, string> | undefined,
): string {
  const pairs = [...Object.entries(settings), ...Object.entries(labels ?? {})]
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '' : `(${pairs.join(',')})`;
}

/** A target as one short text, the way `send` takes it: `topic:jobs.build`, `broadcast(team=ops)`. */
export function describeTarget(target: MessageTarget): string {
  switch (target.kind) {
    case 'agent':
      return `agent:${target.agentId}`;
    case 'topic':
      return `topic:${target.topic}`;
    case 'broadcast':
      return `broadcast${narrowing({ capability: target.capability }, target.labels)}`;
    case 'anycast':
      return `anycast:${target.capability}${narrowing({ strategy: target.strategy }, target.labels)}`;
    default: {
      const unknown: never = target;
      return String(unknown);
    }
  }
}
