import type { Principal } from '@switchboard/authz';
import type { Cache } from '@switchboard/cache';
import type { SecurityReport } from '@switchboard/service';
import { cleanupNamespace, connectTestCache, createTestNamespace } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type GatewayLimits } from './rate-limiter.ts';

const namespace = createTestNamespace();
let cache: Cache;

beforeAll(async () => {
  cache = await connectTestCache(namespace);
});
afterAll(async () => {
  await cache?.close();
  await cleanupNamespace(namespace);
});

const principal = (credentialId: string): Principal => ({
  id: `agent:${credentialId}`,
  credential: { type: 'api_key', id: credentialId },
  agentIds: [credentialId],
  roles: [],
  grants: [],
});

function limiter(limits: Partial<GatewayLimits>) {
  const reports: SecurityReport[] = [];
  const rateLimiter = createRateLimiter({
    cache,
    limits: () => ({
      perIp: { capacity: 1000, refillPerSecond: 0.001 },
      perCredential: { capacity: 1000, refillPerSecond: 0.001 },
      perCredentialByRole: {},
      frameBatch: 50,
      ...limits,
    }),
    security: { report: (event) => reports.push(event) },
  });
  return { rateLimiter, reports };
}

describe('frames drawn from a credential bucket', () => {
  it('take one batch per refill however many frames arrive while it is on its way', async () => {
    const { rateLimiter } = limiter({});
    const who = principal('busy');
    // 120 frames at once: three batches of 50, not one Redis batch per waiting frame.
    await Promise.all(Array.from({ length: 120 }, () => rateLimiter.spendFrame(who)));
    const left = await cache.takeTokens('ratelimit:credential:busy', {
      capacity: 1000,
      refillPerSecond: 0.001,
    });
    expect(left.remaining).toBeGreaterThanOrEqual(1000 - 150 - 1);
    expect(left.remaining).toBeLessThanOrEqual(1000 - 120 - 1);
  });

  it('take single frames when less than a batch is left, then refuse with E_RATE_LIMITED', async () => {
    const { rateLimiter, reports } = limiter({
      perCredential: { capacity: 3, refillPerSecond: 0.001 },
      frameBatch: 50,
    });
    const who = principal('small');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => rateLimiter.spendFrame(who)),
    );
    // The batch is capped at the capacity (3): three frames pass, two are refused.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_RATE_LIMITED' });
    expect(reports.map((report) => report.kind)).toEqual(['rate_limited', 'rate_limited']);
  });

  it('fall back to one frame at a time when a batch does not fit', async () => {
    const { rateLimiter } = limiter({ perCredential: { capacity: 100, refillPerSecond: 0.001 } });
    const who = principal('tail');
    // 80 of 100 spent in batches of 50 leaves 0 after two batches: 100 frames pass, the next
    // is refused; with 30 left, frames go one by one.
    await Promise.all(Array.from({ length: 70 }, () => rateLimiter.spendFrame(who)));
    await expect(
      Promise.all(Array.from({ length: 30 }, () => rateLimiter.spendFrame(who))),
    ).resolves.toHaveLength(30);
    await expect(rateLimiter.spendFrame(who)).rejects.toMatchObject({ code: 'E_RATE_LIMITED' });
  });
});
