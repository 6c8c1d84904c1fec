import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsSnapshot } from './stats.ts';
import { type OperatorGateway, startOperatorGateway } from './test-operator.ts';

let gateway: OperatorGateway;
const WINDOW_MS = 1000;

beforeAll(async () => {
  gateway = await startOperatorGateway(
    { statsTimeoutMs: 200 },
    {
      SB_GATEWAY__OVERVIEW__SAMPLE_INTERVAL_MS: '50',
      SB_GATEWAY__OVERVIEW__WINDOW_MS: String(WINDOW_MS),
    },
  );
});

afterAll(async () => {
  await gateway.stop();
});

async function history(query = ''): Promise<StatsSnapshot[]> {
  const response = await gateway.call('GET', `/v1/stats${query}`, { token: gateway.adminToken });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

describe('GET /v1/stats', () => {
  it("keeps every service's stats, oldest first, with the error of each service that did not answer", async () => {
    const items = await waitFor(async () => {
      const kept = await history();
      return kept.length >= 3 ? kept : undefined;
    });
    const times = items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const latest = items.at(-1) as StatsSnapshot;
    expect(latest.services.gateway).toMatchObject({
      service: 'gateway',
      figures: { connections: 0 },
    });
    // Only the gateway runs in this test: the others are listed with why they gave nothing.
    expect(latest.services.router).toMatchObject({ error: { code: 'E_UNAVAILABLE' } });
  });

  it('forgets samples older than the window', async () => {
    const first = (await history())[0] as StatsSnapshot;
    await waitFor(async () => {
      const kept = await history();
      return kept.every((item) => item.at !== first.at) ? true : undefined;
    });
    const asked = Date.now();
    const oldest = Date.parse(((await history())[0] as StatsSnapshot).at);
    expect(oldest).toBeGreaterThan(Date.parse(first.at));
    // Trimmed when asked: nothing older than the window before that moment.
    expect(oldest).toBeGreaterThanOrEqual(asked - WINDOW_MS);
  });

  it('returns only newer samples after `since`', async () => {
    const items = await history();
    const middle = items[Math.floor(items.length / 2)] as StatsSnapshot;
    const newer = await history(`?since=${encodeURIComponent(middle.at)}`);
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.every((item) => Date.parse(item.at) > Date.parse(middle.at))).toBe(true);
  });

  it('needs events:read', async () => {
    const response = await gateway.call('GET', '/v1/stats');
    expect(response.statusCode).toBe(401);
  });
});
