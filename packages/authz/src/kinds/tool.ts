import { SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/**
 * What a tool grant allows: seeing a tool in listings, calling it, and (for an agent) providing
 * it, i.e. registering as one of the agents that execute it and receive its calls' arguments.
 */
export const ToolActions = ['list', 'call', 'provide'] as const;

/** One of {@link ToolActions}. */
export type ToolAction = (typeof ToolActions)[number];

/**
 * Lets a principal list, call and/or provide the tools whose names one of `names` matches
 * (`search.*`). `versions` is a semver range kept as a string: the tool registry evaluates it
 * (it owns the semver dependency); {@link toolAllows} checks name and action only.
 */
export const ToolGrantSchema = z.strictObject({
  kind: z.literal('tool'),
  names: z.array(SubjectPatternSchema).min(1),
  versions: z.string().min(1).max(128).optional(),
  actions: z.array(z.enum(ToolActions)).min(1),
});

/** A `tool` grant. */
export type ToolGrant = z.infer<typeof ToolGrantSchema>;

/** Listing or calling tool `name` (at `version`, which only the tool-registry evaluates). */
export interface ToolRequest {
  readonly kind: 'tool';
  readonly name: string;
  readonly version?: string;
  readonly action: ToolAction;
}

/** True when `grant` lets `request` through (name and action; see {@link ToolGrantSchema}). */
export function toolAllows(grant: ToolGrant, request: ToolRequest): boolean {
  return (
    grant.actions.includes(request.action) &&
    grant.names.some((pattern) => subjectMatches(pattern, request.name))
  );
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function toolDenial(request: ToolRequest): string {
  return `has no tool grant to ${request.action} tool ${request.name}`;
}
