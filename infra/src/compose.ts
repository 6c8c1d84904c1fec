import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { interpolateDeep, type Variables } from './interpolate.ts';

/** The parts of a compose service that the checks read. */
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  environment: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  command?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  profiles?: string[];
  container_name?: string;
}

/** A compose file after YAML merge keys and variable interpolation. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/** Compose takes `environment` as a map or as `KEY=VALUE` lines; values as scalars. */
function normalizeEnvironment(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((line) => {
        const text = String(line);
        const at = text.indexOf('=');
        return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([name, value]) => [
      name,
      value === null ? '' : String(value),
    ]),
  );
}

/** Reads a compose file as `docker compose config` would see it with `variables`. */
export async function loadComposeFile(path: string, variables: Variables): Promise<ComposeFile> {
  // Merge keys (`<<: *service`) are YAML 1.1; compose accepts them, so the parser must too.
  const raw = parse(await readFile(path, 'utf8'), { merge: true }) as {
    services?: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
  const document = interpolateDeep(raw, variables) as typeof raw;
  const services = Object.fromEntries(
    Object.entries(document.services ?? {}).map(([name, service]) => [
      name,
      { ...service, environment: normalizeEnvironment(service.environment) } as ComposeService,
    ]),
  );
  return { services, volumes: document.volumes ?? {} };
}

/** `127.0.0.1:7700:7700` → host address, host port and container port. */
export function parsePortMapping(mapping: string): {
  hostAddress?: string;
  hostPort?: string;
  containerPort: string;
} {
  const [spec] = mapping.split('/');
  const parts = (spec as string).split(':');
  const containerPort = parts.pop() as string;
  const hostPort = parts.pop();
  const hostAddress = parts.length > 0 ? parts.join(':') : undefined;
  return {
    containerPort,
    ...(hostPort === undefined ? {} : { hostPort }),
    ...(hostAddress === undefined ? {} : { hostAddress }),
  };
}
