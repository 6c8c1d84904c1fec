import { resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import type { AnyServiceConfig, ConfigOf } from './define.ts';
import { type Env, readEnvLayer } from './env-source.ts';
import { type FileLayer, readConfigFile } from './file-source.ts';
import type { Layers } from './layers.ts';
import { LiveConfig, type LiveConfigInit } from './live-config.ts';
import { resolveConfig } from './resolve.ts';

/** Where `loadConfig` reads from. */
export interface LoadConfigOptions {
  /** The environment (`process.env` in `main.ts`); `SWITCHBOARD_CONFIG` names the file. */
  env: Env;
  /** Directory a relative `SWITCHBOARD_CONFIG` is resolved against (default: the process's). */
  cwd?: string;
}

/**
 * Reads a service's config: schema defaults < the file named by `SWITCHBOARD_CONFIG` (YAML or
 * JSON) < `SB_*` env vars. Throws a {@link ConfigError} (`E_VALIDATION`) naming every bad key,
 * its source and what is allowed, secrets redacted. Overrides come later, with `start()`.
 */
export async function loadConfig<D extends AnyServiceConfig>(
  config: D,
  options: LoadConfigOptions,
): Promise<LiveConfig<ConfigOf<D>>> {
  const shownPath = options.env.SWITCHBOARD_CONFIG?.trim() || undefined;
  let file: FileLayer & { text?: string } = { values: {}, issues: [] };
  let fileRef: LiveConfigInit<unknown>['file'];
  if (shownPath !== undefined) {
    const path = resolve(options.cwd ?? process.cwd(), shownPath);
    file = await readConfigFile(path, shownPath, config);
    fileRef = { path, shownPath, text: file.text };
  }
  const env = readEnvLayer(options.env, config.schema);
  const layers: Layers = { file: file.values, filePath: shownPath, env, overrides: new Map() };
  const result = resolveConfig(config, layers);
  const issues = [...file.issues, ...env.issues, ...(result.ok ? [] : result.issues)];
  if (!result.ok || issues.length > 0) {
    throw new ConfigError(`Invalid configuration for ${config.service}`, issues);
  }
  return new LiveConfig({ config, layers, value: result.value, file: fileRef });
}
