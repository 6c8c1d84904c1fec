import { readFileSync } from 'node:fs';
import { SbError } from '@switchboard/protocol';

/** TLS settings as every connection section holds them (`TlsSchema`). */
export interface TlsSettings {
  enabled?: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  rejectUnauthorized?: boolean;
}

/** TLS material ready for node:tls: PEM text, never paths. */
export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

/** PEM text is used as is; anything else is the path of a PEM file, read now. */
function readPem(owner: string, setting: string, value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new SbError(
      'E_VALIDATION',
      `${owner} TLS ${setting} is neither PEM text nor a readable file: ${value} (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/**
 * Turns TLS settings (each of ca, cert, key: PEM text or a file path) into node:tls options.
 * Undefined when TLS is not configured or switched off. `owner` names the connection in errors.
 */
export function resolveTls(
  owner: string,
  settings: TlsSettings | undefined,
): TlsMaterial | undefined {
  if (settings === undefined || settings.enabled === false) return undefined;
  const material: TlsMaterial = {};
  if (settings.ca !== undefined) material.ca = readPem(owner, 'ca', settings.ca);
  if (settings.cert !== undefined) material.cert = readPem(owner, 'cert', settings.cert);
  if (settings.key !== undefined) material.key = readPem(owner, 'key', settings.key);
  if (settings.rejectUnauthorized !== undefined) {
    material.rejectUnauthorized = settings.rejectUnauthorized;
  }
  return material;
}
