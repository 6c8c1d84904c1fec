import type { ServiceShortName } from '@switchboard/protocol';
import { z } from 'zod';
import { joinKey, splitKey } from './paths.ts';
import { createRedactor, type Redactor, type SecretPatterns } from './redact.ts';
import { looseObjectPaths, schemaAtPath } from './schema-walk.ts';
import {
  SHARED_BOOTSTRAP_KEYS,
  SHARED_LIVE_KEYS,
  SHARED_SECRET_KEYS,
  SHARED_SECRET_URL_KEYS,
  sharedConfigShape,
} from './shared-schema.ts';

type SharedShape = ReturnType<typeof sharedConfigShape>;

/** The zod shape of a service's config: the shared sections plus its own under its short name. */
export type ServiceConfigShape<K extends ServiceShortName, S extends z.ZodObject> = SharedShape & {
  [P in K]: z.ZodPrefault<S>;
};

/** The zod schema of a service's whole config. */
export type ServiceConfigSchema<K extends ServiceShortName, S extends z.ZodObject> = z.ZodObject<
  ServiceConfigShape<K, S>,
  z.core.$strict
>;

/** A cross-field problem found by a definition's `refine`. */
export interface ConfigRuleIssue {
  /** Dotted key the problem is reported on (`router.retry.maxDelayMs`). */
  key: string;
  message: string;
}

/** What a service declares about its own settings. */
export interface ServiceConfigDefinition<K extends ServiceShortName, S extends z.ZodObject> {
  service: K;
  /** The service's own section: a strict object whose fields all have defaults, unless required. */
  section: S;
  /** Settings that change without a restart (dotted keys; a key marks its whole subtree). */
  live?: readonly string[];
  /** Settings never shown (dotted keys; `*` is one segment, `**` any number). */
  secrets?: readonly string[];
  /** URL settings shown with the password replaced by `***`. */
  secretUrls?: readonly string[];
  /** Cross-field rules over the whole config (the section's own `superRefine` works too). */
  refine?: (config: z.output<ServiceConfigSchema<K, S>>) => readonly ConfigRuleIssue[];
}

/** What the config engine needs of any service's config. */
export interface AnyServiceConfig {
  service: ServiceShortName;
  /** The whole config schema: the shared sections plus the service's own. */
  schema: z.core.$ZodObject;
  /** Shared and own live keys. */
  live: readonly string[];
  secrets: SecretPatterns;
  /** Shows a value of the setting at a path with its secrets replaced. */
  redact: Redactor;
  /** Keys an override may not set (read before the override store opens). */
  bootstrap: readonly string[];
  /** Top-level keys of the shared sections. */
  sharedKeys: readonly string[];
}

/** A service's config, ready for `loadConfig`. */
export interface ServiceConfig<K extends ServiceShortName, S extends z.ZodObject>
  extends AnyServiceConfig {
  service: K;
  schema: ServiceConfigSchema<K, S>;
}

/** The parsed config type of a service definition. */
export type ConfigOf<D extends { schema: z.core.$ZodType }> = z.output<D['schema']>;

/**
 * Builds a service's config schema: the shared sections plus `section` under the service's short
 * name, with the shared live, secret and bootstrap keys added to its own. Throws when a declared
 * key names no setting or an object in the section is not strict (both are bugs).
 */
export function defineServiceConfig<K extends ServiceShortName, S extends z.ZodObject>(
  definition: ServiceConfigDefinition<K, S>,
): ServiceConfig<K, S> {
  const shared = sharedConfigShape();
  const shape = { ...shared, [definition.service]: definition.section.prefault({} as z.input<S>) };
  const { refine } = definition;
  const base = z.strictObject(shape as ServiceConfigShape<K, S>);
  const schema =
    refine === undefined
      ? base
      : base.superRefine((config, ctx) => {
          for (const issue of refine(config)) {
            ctx.addIssue({ code: 'custom', path: splitKey(issue.key), message: issue.message });
          }
        });
  const loose = looseObjectPaths(definition.section);
  if (loose.length > 0) {
    const where = loose.map((path) => joinKey([definition.service, ...path]));
    throw new Error(`config objects must be strict (z.strictObject): ${where.join(', ')}`);
  }
  const live = [...SHARED_LIVE_KEYS, ...(definition.live ?? [])];
  const secrets = [...SHARED_SECRET_KEYS, ...(definition.secrets ?? [])];
  const secretUrls = [...SHARED_SECRET_URL_KEYS, ...(definition.secretUrls ?? [])];
  const unknown = [...live, ...secrets, ...secretUrls].filter(
    (key) => !key.includes('*') && schemaAtPath(schema, splitKey(key)) === undefined,
  );
  if (unknown.length > 0) throw new Error(`config keys name no setting: ${unknown.join(', ')}`);
  return {
    service: definition.service,
    schema,
    live,
    secrets: { secrets, secretUrls },
    redact: createRedactor(schema, { secrets, secretUrls }),
    bootstrap: SHARED_BOOTSTRAP_KEYS,
    sharedKeys: Object.keys(shared),
  };
}
