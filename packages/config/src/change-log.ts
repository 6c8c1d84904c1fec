import { type ConfigState, pendingRestarts } from './config-state.ts';
import type { AnyServiceConfig } from './define.ts';
import { sourceAt } from './layers.ts';
import type { ConfigLogger } from './override-store.ts';
import { getAtPath, splitKey } from './paths.ts';
import { isDeepEqual } from './values.ts';

/**
 * Logs an accepted change, secrets redacted: each setting whose running value changed (`info`,
 * old → new and source) and each restart-only setting that now waits for a restart with a new
 * value (`warn`: someone has to restart the service).
 */
export function logAppliedChange<T>(
  log: ConfigLogger,
  config: AnyServiceConfig,
  previous: ConfigState<T>,
  next: ConfigState<T>,
  changedKeys: readonly string[],
): void {
  const { redact } = config;
  for (const key of changedKeys) {
    const path = splitKey(key);
    const from = redact(path, getAtPath(previous.running, path));
    const to = redact(path, getAtPath(next.running, path));
    log.info({ key, from, to, source: sourceAt(next.layers, path) }, 'config setting changed');
  }
  const pendingBefore = pendingRestarts(config, previous);
  for (const [key, value] of pendingRestarts(config, next)) {
    if (pendingBefore.has(key) && isDeepEqual(pendingBefore.get(key), value)) continue;
    const path = splitKey(key);
    log.warn(
      { key, value: redact(path, value), source: sourceAt(next.layers, path) },
      'config setting takes effect after a restart',
    );
  }
}
