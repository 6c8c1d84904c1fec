import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Where the objects came from: rendered by kustomize, or read from the base files. */
export type K8sSource =
  | { rendered: true; objects: K8sObject[] }
  | { rendered: false; reason: string; objects: K8sObject[] };

const run = promisify(execFile);

/** The kubectl on PATH, if any. */
export function findKubectl(path = process.env.PATH ?? ''): string | undefined {
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'kubectl'))
    .find((candidate) => existsSync(candidate));
}

/** Parses a multi-document YAML stream, skipping empty documents. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** `kubectl kustomize <dir>`: the objects an overlay renders to. */
export async function renderKustomization(kubectl: string, dir: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseObjects(stdout);
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: Array<{ name: string; literals?: string[] }>;
  generatorOptions?: { labels?: Record<string, string> };
}

/**
 * Without kustomize: the objects of a kustomization's own resource files plus the ConfigMaps
 * its generators make (literals only, names without the hash). Nested kustomizations are not
 * followed, so this reads a base, not an overlay.
 */
export async function readBaseFiles(dir: string): Promise<K8sObject[]> {
  const kustomization = parse(
    await readFile(join(dir, 'kustomization.yaml'), 'utf8'),
  ) as Kustomization;
  const objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    objects.push(...parseObjects(await readFile(join(dir, resource), 'utf8')));
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = Object.fromEntries(
      (generator.literals ?? []).map((literal) => {
        const at = literal.indexOf('=');
        return [literal.slice(0, at), literal.slice(at + 1)];
      }),
    );
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: generator.name, labels: { ...kustomization.generatorOptions?.labels } },
      data,
    });
  }
  return objects;
}

/**
 * The overlay rendered with `kubectl` (see {@link findKubectl}) when there is one; otherwise the
 * base files, with the reason, so the caller can say loudly that the overlays were not rendered.
 */
export async function loadOverlay(
  overlayDir: string,
  baseDir: string,
  kubectl: string | undefined,
): Promise<K8sSource> {
  if (kubectl === undefined) {
    return {
      rendered: false,
      reason: 'kubectl is not on PATH',
      objects: await readBaseFiles(baseDir),
    };
  }
  return { rendered: true, objects: await renderKustomization(kubectl, overlayDir) };
}
