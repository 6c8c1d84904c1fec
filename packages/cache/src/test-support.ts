import { randomUUID } from 'node:crypto';

// What this package's tests need of the test infrastructure. @switchboard/testing builds on this
// package (its in-process cache), so the tests here keep their own few helpers, as the bus's do.

/** The local Redis every test uses (`SB_TEST_REDIS_URL` elsewhere). */
export const redisUrl = process.env.SB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A namespace no other test file uses. */
export function testNamespace(): string {
  return `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Resolves once `condition` holds, polling; rejects after `deadlineMs` naming `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs = 10_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
