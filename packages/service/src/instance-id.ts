import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * An id for one running replica: readable (service and host) and unique across restarts, so
 * leases and presence of a dead replica never collide with its successor's.
 */
export function generateInstanceId(service: string): string {
  const host = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 32);
  return `${service}-${host}-${randomBytes(3).toString('hex')}`;
}
