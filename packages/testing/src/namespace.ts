import { randomBytes } from 'node:crypto';

/** A fresh namespace for one test file: every subject, stream, bucket and Redis key derives from it. */
export function createTestNamespace(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}
