import { ConfigError, loadConfig, type SharedConfig, sharedConfigShape } from '@switchboard/config';
import type { DeployedService } from './services.ts';

/** What a service makes of an environment a deployment file gives it. */
export type ServiceEnvCheck =
  | { ok: true; config: SharedConfig & Record<string, unknown> }
  | { ok: false; problems: string[] };

const sharedKeys = new Set(Object.keys(sharedConfigShape()));

/** `SHUTDOWN_TIMEOUT_MS` → `shutdownTimeoutMs`, as the config loader reads a name's first level. */
function keyOfSegment(segment: string): string {
  return segment
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

/**
 * `SB_*` variables the service would silently ignore: the config loader skips a name whose
 * first level is neither a shared section nor the service's own (another service's, or a
 * typo), so a deployment file that sets one configures nothing.
 */
export function ignoredVariables(service: DeployedService, names: Iterable<string>): string[] {
  return [...names].filter((name) => {
    if (!name.startsWith('SB_')) return false;
    const top = keyOfSegment(name.slice(3).split('__')[0] as string);
    return !sharedKeys.has(top) && top !== service.short;
  });
}

/**
 * Loads the service's config from `env` alone, the way its `main.ts` does, and reports every
 * problem: a variable it would ignore, and every key its schema refuses (unknown keys inside a
 * section are refused: the sections are strict).
 */
export async function checkServiceEnv(
  service: DeployedService,
  env: Readonly<Record<string, string>>,
): Promise<ServiceEnvCheck> {
  const problems = ignoredVariables(service, Object.keys(env)).map(
    (name) => `${name}: ${service.folder} ignores it (not a shared setting nor one of its own)`,
  );
  try {
    const config = await loadConfig(service.definition, { env });
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, config: config.current as SharedConfig & Record<string, unknown> };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, problems: [...problems, error.message] };
  }
}
