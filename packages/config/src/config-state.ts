import type { SettingReport } from '@switchboard/protocol';
import { z } from 'zod';
import type { ConfigIssue } from './config-issue.ts';
import type { AnyServiceConfig } from './define.ts';
import { type Layers, mergeLayers, sourceAt } from './layers.ts';
import { type ConfigPath, getAtPath, hasAtPath, joinKey, setAtPath } from './paths.ts';
import { resolveConfig, toConfigIssues } from './resolve.ts';
import { leafPaths } from './schema-walk.ts';
import { isLivePath } from './settings.ts';
import { deepFreeze, isDeepEqual, type PlainObject } from './values.ts';

/**
 * What a running service's config is made of. Restart-only settings keep the values they had at
 * start (`startLayers`); live settings follow the latest accepted layers (`layers`); `latest` is
 * what every setting would be after a restart.
 */
export interface ConfigState<T> {
  running: T;
  startLayers: Layers;
  layers: Layers;
  latest: T;
}

/** A change's outcome: the next state and the settings whose running value changed, or why not. */
export type ChangePlan<T> =
  | { ok: true; state: ConfigState<T>; changedKeys: string[] }
  | { ok: false; issues: ConfigIssue[] };

/** The state of a config that has just started from `layers` (everything takes effect). */
export function startState<T>(layers: Layers, value: T): ConfigState<T> {
  const frozen = deepFreeze(value);
  return { running: frozen, startLayers: layers, layers, latest: frozen };
}

/**
 * Plans the move to new layers (a file change, an override set or removed): validates them,
 * takes the live settings from them and keeps the running value of every restart-only one. The
 * mix is validated too, since a cross-field rule may tie a live setting to a restart-only one.
 * With `isRestart` (the service is starting) every setting takes its new value.
 */
export function planChange<T>(
  config: AnyServiceConfig,
  state: ConfigState<T>,
  layers: Layers,
  isRestart = false,
): ChangePlan<T> {
  const latest = resolveConfig(config, layers);
  if (!latest.ok) return latest;
  const startLayers = isRestart ? layers : state.startLayers;
  const mixed = mixLiveInput(config, mergeLayers(startLayers), mergeLayers(layers));
  const parsed = z.safeParse(config.schema, mixed);
  if (!parsed.success) {
    return { ok: false, issues: toConfigIssues(parsed.error, config, layers, mixed) };
  }
  const changedKeys = leafPaths(config.schema)
    .filter((path) => !isDeepEqual(getAtPath(state.running, path), getAtPath(parsed.data, path)))
    .map(joinKey);
  const running = changedKeys.length === 0 ? state.running : deepFreeze(parsed.data as T);
  return {
    ok: true,
    state: { running, startLayers, layers, latest: deepFreeze(latest.value as T) },
    changedKeys,
  };
}

/** The start-time input with every live setting taken from the latest input. */
function mixLiveInput(config: AnyServiceConfig, startInput: PlainObject, latestInput: PlainObject) {
  let mixed = startInput;
  for (const path of leafPaths(config.schema)) {
    if (!isLivePath(config, path)) continue;
    // Leave absent parents absent: an empty object could fail where nothing would not.
    if (!hasAtPath(latestInput, path) && !hasAtPath(mixed, path)) continue;
    mixed = setAtPath(mixed, path, getAtPath(latestInput, path));
  }
  return mixed;
}

/** Restart-only settings whose value after a restart differs from the running one: key → value. */
export function pendingRestarts<T>(
  config: AnyServiceConfig,
  state: ConfigState<T>,
): Map<string, unknown> {
  const pending = new Map<string, unknown>();
  for (const path of leafPaths(config.schema)) {
    const next = getAtPath(state.latest, path);
    if (!isLivePath(config, path) && !isDeepEqual(getAtPath(state.running, path), next)) {
      pending.set(joinKey(path), next);
    }
  }
  return pending;
}

/**
 * Reports of the settings at `paths`: the running value (secrets redacted; `null` when unset),
 * its source, whether it is live and, for a restart-only setting whose value after a restart
 * differs, that value and its source.
 */
export function reportSettings<T>(
  config: AnyServiceConfig,
  state: ConfigState<T>,
  paths: readonly ConfigPath[],
): SettingReport[] {
  return paths.map((path) => {
    const live = isLivePath(config, path);
    const value = getAtPath(state.running, path);
    const report: SettingReport = {
      key: joinKey(path),
      value: config.redact(path, value) ?? null,
      source: sourceAt(live ? state.layers : state.startLayers, path),
      live,
    };
    const next = getAtPath(state.latest, path);
    if (!live && !isDeepEqual(value, next)) {
      report.pendingRestart = {
        value: config.redact(path, next) ?? null,
        source: sourceAt(state.layers, path),
      };
    }
    return report;
  });
}
