import type { ToolAction } from '@switchboard/authz';
import { SbError } from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import { toolAllowed, toolDenial } from './domain/tool-access.ts';

/**
 * Tool access decisions, remembered per principal header, tool version and action: a listing
 * decides for every tool at once, and an agent calls the same tools again and again. Cleared on
 * `<ns>.v1.evt.auth.changed`, so a revoked or changed credential is decided afresh.
 */
export function createAccessDecisions(maxEntries: () => number) {
  const decisions = new Map<string, boolean>();

  function allowed(caller: Caller, name: string, version: string, action: ToolAction): boolean {
    const key = `${action}\u0000${name}@${version}\u0000${caller.header}`;
    const known = decisions.get(key);
    if (known !== undefined) return known;
    const decision = toolAllowed(caller.principal, { name, version, action });
    const max = maxEntries();
    if (max > 0) {
      if (decisions.size >= max) decisions.clear();
      decisions.set(key, decision);
    }
    return decision;
  }

  return {
    allowed,

    /** @throws SbError `E_FORBIDDEN` with the reason when the caller may not. */
    assert(caller: Caller, name: string, version: string, action: ToolAction): void {
      if (!allowed(caller, name, version, action)) {
        throw new SbError('E_FORBIDDEN', toolDenial(caller.principal, { name, version, action }));
      }
    },

    clear(): void {
      decisions.clear();
    },

    get size(): number {
      return decisions.size;
    },
  };
}

/** The access decisions (see {@link createAccessDecisions}). */
export type AccessDecisions = ReturnType<typeof createAccessDecisions>;
