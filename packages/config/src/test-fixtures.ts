import { z } from 'zod';
import { defineServiceConfig } from './define.ts';
import type { ConfigLogger, OverrideStore } from './override-store.ts';

/**
 * A router-like section: live retry policy, restart-only queue, a secret, a record and an
 * optional setting without a default.
 */
export const routerSection = z.strictObject({
  retry: z
    .strictObject({
      maxAttempts: z.int().min(1).max(100).default(5),
      baseDelayMs: z.int().min(1).default(100),
      maxDelayMs: z.int().min(1).default(30_000),
    })
    .prefault({}),
  queue: z.strictObject({ maxInFlight: z.int().min(1).max(1000).default(10) }).prefault({}),
  topics: z.array(z.string().min(1)).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  signingKey: z.string().min(8).optional(),
  region: z.string().min(1).optional(),
});

/** The test router's config definition. */
export const routerConfig = defineServiceConfig({
  service: 'router',
  section: routerSection,
  live: ['router.retry'],
  secrets: ['router.signingKey'],
  refine: (config) =>
    config.router.retry.maxDelayMs < config.router.retry.baseDelayMs
      ? [{ key: 'router.retry.maxDelayMs', message: 'must be >= router.retry.baseDelayMs' }]
      : [],
});

/** A service whose section has a required key. */
export const toolsConfig = defineServiceConfig({
  service: 'tools',
  section: z.strictObject({ publicUrl: z.url(), timeoutMs: z.int().min(1).default(1000) }),
});

/** An override store in memory, with a watch like the KV bucket's (every put and delete). */
export class MemoryOverrideStore implements OverrideStore {
  readonly values = new Map<string, unknown>();
  readonly watchers = new Set<(key: string, value: unknown) => void>();

  constructor(initial: Record<string, unknown> = {}) {
    for (const [key, value] of Object.entries(initial)) this.values.set(key, value);
  }

  async load(): Promise<Map<string, unknown>> {
    return new Map(this.values);
  }

  async put(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    for (const watcher of this.watchers) watcher(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    for (const watcher of this.watchers) watcher(key, undefined);
  }

  async watch(onChange: (key: string, value: unknown) => void): Promise<() => Promise<void>> {
    this.watchers.add(onChange);
    return async () => {
      this.watchers.delete(onChange);
    };
  }
}

/** One logged line. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  details: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is given. */
export function recordingLogger(): ConfigLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (details: object, message: string): void => {
      lines.push({ level, details: details as Record<string, unknown>, message });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** Resolves once `check` is true; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
