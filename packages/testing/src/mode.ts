import { z } from 'zod';

/**
 * How a test run reaches its infrastructure (`SB_MODE`): `distributed` (the default) against the
 * real Postgres, Redis and NATS; `embedded` with an embedded Postgres and, per test file, the
 * in-process bus and cache, running only the embedded subset.
 */
export type TestMode = 'distributed' | 'embedded';

const TestModeSchema = z.enum(['distributed', 'embedded']).default('distributed');

/** The mode of this run, from `env` (`SB_MODE`); a value that is neither mode is refused. */
export function testModeOf(env: Readonly<Record<string, string | undefined>>): TestMode {
  const parsed = TestModeSchema.safeParse(env.SB_MODE === '' ? undefined : env.SB_MODE);
  if (!parsed.success) {
    throw new Error(`SB_MODE=${env.SB_MODE} is not a test mode: use distributed or embedded`);
  }
  return parsed.data;
}
