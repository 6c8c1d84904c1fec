import type { SbError } from '@switchboard/protocol';
import { formatIssue } from './config-issue.ts';
import type { AnyServiceConfig } from './define.ts';
import type { Layers } from './layers.ts';
import { resolveConfig } from './resolve.ts';
import { assertOverridable, findSetting } from './settings.ts';
import { isDeepEqual } from './values.ts';

/**
 * Why a stored override cannot apply on top of `layers` (which hold it): an unknown or bootstrap
 * key, or a config that no longer validates. Undefined when it can.
 */
export function checkOverride(
  config: AnyServiceConfig,
  key: string,
  layers: Layers,
): string | undefined {
  try {
    assertOverridable(config, findSetting(config, key));
  } catch (error) {
    return (error as SbError).message;
  }
  const result = resolveConfig(config, layers);
  return result.ok ? undefined : result.issues.map(formatIssue).join('; ');
}

/**
 * The stored overrides found at start, added one at a time in key order: each that validates on
 * top of those before it applies, each other one is skipped with the reason.
 */
export function acceptStoredOverrides(
  config: AnyServiceConfig,
  layers: Layers,
  stored: ReadonlyMap<string, unknown>,
): { layers: Layers; skipped: { key: string; reason: string }[] } {
  let accepted = layers;
  const skipped: { key: string; reason: string }[] = [];
  for (const key of [...stored.keys()].sort()) {
    const overrides = new Map(accepted.overrides).set(key, stored.get(key));
    const reason = checkOverride(config, key, { ...accepted, overrides });
    if (reason === undefined) accepted = { ...accepted, overrides };
    else skipped.push({ key, reason });
  }
  return { layers: accepted, skipped };
}

/**
 * The layers after a put (`value`) or delete (`undefined`) seen in the store: `unchanged` when it
 * repeats what is in effect (a replica's own echo), or the reason it cannot apply.
 */
export function layersAfterStoredChange(
  config: AnyServiceConfig,
  layers: Layers,
  key: string,
  value: unknown,
): { layers: Layers } | { reason: string } | 'unchanged' {
  const current = layers.overrides;
  if (value === undefined ? !current.has(key) : isDeepEqual(current.get(key), value)) {
    return 'unchanged';
  }
  const overrides = new Map(current);
  if (value === undefined) overrides.delete(key);
  else overrides.set(key, value);
  const next = { ...layers, overrides };
  const reason = checkOverride(config, key, next);
  return reason === undefined ? { layers: next } : { reason };
}
