import type { Principal, ToolAction } from '@switchboard/authz';
import { subjectMatches } from '@switchboard/protocol';
import semver from 'semver';

/** Listing or calling one version of one tool. */
export interface ToolAccessRequest {
  name: string;
  version: string;
  action: ToolAction;
}

/**
 * True when one of the principal's `tool` grants covers the request: the action, a name pattern
 * matching the name and, when the grant has `versions`, a semver range the version satisfies
 * (prereleases included: a grant of `^1` covers `1.3.0-beta`). `authorize` in authz checks name
 * and action only: the registry, which owns semver, evaluates the range here. A range that does
 * not parse covers nothing.
 */
export function toolAllowed(principal: Principal, request: ToolAccessRequest): boolean {
  return principal.grants.some(
    (grant) =>
      grant.kind === 'tool' &&
      grant.actions.includes(request.action) &&
      grant.names.some((pattern) => subjectMatches(pattern, request.name)) &&
      (grant.versions === undefined ||
        semver.satisfies(request.version, grant.versions, { includePrerelease: true })),
  );
}

/** Why the principal may not do the request, in a sentence a person can act on. */
export function toolDenial(principal: Principal, request: ToolAccessRequest): string {
  return `principal ${principal.id} has no tool grant to ${request.action} ${request.name}@${request.version}; ask an operator for a tool grant covering it`;
}
