import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type ServiceShortName, serviceShortNames } from '@switchboard/protocol';
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from './config-issue.ts';
import { isPlainObject, type PlainObject } from './values.ts';

/** What a config file gave a service: its sections, or the problems that kept them out. */
export interface FileLayer {
  values: PlainObject;
  issues: ConfigIssue[];
}

/**
 * Parses a config file's text (YAML for `.yaml`/`.yml`, JSON for `.json`) and keeps the shared
 * sections and the service's own. One file may configure every service, so other services'
 * sections are skipped; a top-level key that is neither is an error naming it.
 */
export function parseConfigFile(
  shownPath: string,
  text: string,
  options: { service: ServiceShortName; sharedKeys: readonly string[] },
): FileLayer {
  const source = { kind: 'file', path: shownPath } as const;
  const parsed = parseText(extname(shownPath).toLowerCase(), text);
  if ('error' in parsed)
    return { values: {}, issues: [{ key: '', source, message: parsed.error }] };
  const document = parsed.value ?? {};
  if (!isPlainObject(document)) {
    const message = 'must hold a mapping of settings (namespace, postgres, router, ...)';
    return { values: {}, issues: [{ key: '', source, message }] };
  }
  const known = [...options.sharedKeys, ...serviceShortNames];
  const values: PlainObject = {};
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(document)) {
    if (!known.includes(key)) {
      issues.push({ key, source, message: `unknown section; known sections: ${known.join(', ')}` });
    } else if (key === options.service || options.sharedKeys.includes(key)) {
      values[key] = value;
    }
  }
  return { values, issues };
}

function parseText(extension: string, text: string): { value: unknown } | { error: string } {
  try {
    if (extension === '.json') return { value: JSON.parse(text) };
    if (extension === '.yaml' || extension === '.yml') return { value: parseYaml(text) };
    return { error: `unsupported file type "${extension}": use .yaml, .yml or .json` };
  } catch (error) {
    // The YAML parser appends a source excerpt after the first line; the first line says it all.
    const message = ((error as Error).message.split('\n', 1)[0] as string).replace(/:$/, '');
    return { error: `cannot parse ${extension === '.json' ? 'JSON' : 'YAML'}: ${message}` };
  }
}

/** Reads and parses the config file at `path` (resolved by the caller); `shownPath` names it. */
export async function readConfigFile(
  path: string,
  shownPath: string,
  options: { service: ServiceShortName; sharedKeys: readonly string[] },
): Promise<FileLayer & { text?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found (SWITCHBOARD_CONFIG names it; fix the path or unset the variable)'
        : `cannot read: ${(error as Error).message}`;
    return {
      values: {},
      issues: [{ key: '', source: { kind: 'file', path: shownPath }, message }],
    };
  }
  return { ...parseConfigFile(shownPath, text, options), text };
}
