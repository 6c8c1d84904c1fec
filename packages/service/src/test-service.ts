import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigOf, defineServiceConfig } from '@switchboard/config';
import { z } from 'zod';
import { listenSettings } from './listen-settings.ts';

/**
 * A service definition for this package's tests, with live settings in its own section, so the
 * bootstrap and the config machinery are exercised end to end without any feature code.
 */
export const testServiceConfig = defineServiceConfig({
  service: 'tasks',
  section: z.strictObject({
    ...listenSettings('tasks'),
    retry: z
      .strictObject({
        baseDelayMs: z.number().int().min(1).default(100),
        maxAttempts: z.number().int().min(1).default(3),
      })
      .prefault({}),
  }),
  live: ['tasks.retry'],
});

/** The parsed config of {@link testServiceConfig}. */
export type TestServiceConfig = ConfigOf<typeof testServiceConfig>;

/** A temporary folder with a drizzle migrations folder (one file) and room for a config file. */
export function createTestFolder(): { root: string; migrations: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'sb-service-test-'));
  const migrations = join(root, 'drizzle');
  mkdirSync(join(migrations, 'meta'), { recursive: true });
  writeFileSync(join(migrations, '0000_init.sql'), 'CREATE SCHEMA IF NOT EXISTS "tasks";');
  writeFileSync(
    join(migrations, 'meta/_journal.json'),
    JSON.stringify({
      version: '7',
      dialect: 'postgresql',
      entries: [
        { idx: 0, version: '7', when: 1_700_000_000_000, tag: '0000_init', breakpoints: true },
      ],
    }),
  );
  return { root, migrations, remove: () => rmSync(root, { recursive: true, force: true }) };
}
