import { waitFor } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import { Heartbeat } from './heartbeat.ts';

describe('Heartbeat', () => {
  it('pings every interval while the gateway is heard from', async () => {
    let pings = 0;
    const silences: number[] = [];
    const heartbeat = new Heartbeat({
      ping: () => {
        pings += 1;
        heartbeat.heard();
      },
      silent: (silentMs) => void silences.push(silentMs),
    });
    heartbeat.start(5, 40);
    await waitFor(() => pings >= 20, { what: '20 pings' });
    heartbeat.stop();
    heartbeat.stop();
    const stoppedAt = pings;
    // Another heartbeat at the same pace measures the time that passes: the stopped one is quiet.
    let witnessPings = 0;
    const witness = new Heartbeat({
      ping: () => {
        witnessPings += 1;
      },
      silent: () => undefined,
    });
    witness.start(5, 60_000);
    await waitFor(() => witnessPings >= 10, { what: '10 pings of the witness' });
    witness.stop();
    expect(pings).toBe(stoppedAt);
    expect(silences).toEqual([]);
  });

  it('stops pinging when a ping ends the session', async () => {
    let pings = 0;
    const heartbeat = new Heartbeat({
      ping: () => {
        pings += 1;
        heartbeat.stop();
      },
      silent: () => undefined,
    });
    heartbeat.start(5, 60_000);
    await waitFor(() => pings === 1);
    let witnessPings = 0;
    const witness = new Heartbeat({
      ping: () => {
        witnessPings += 1;
      },
      silent: () => undefined,
    });
    witness.start(5, 60_000);
    await waitFor(() => witnessPings >= 10, { what: '10 pings of the witness' });
    witness.stop();
    expect(pings).toBe(1);
  });

  it('gives up once, after the timeout of silence', async () => {
    let pings = 0;
    const silences: number[] = [];
    const heartbeat = new Heartbeat({
      ping: () => {
        pings += 1;
      },
      silent: (silentMs) => void silences.push(silentMs),
    });
    heartbeat.start(5, 30);
    await waitFor(() => silences.length > 0, { what: 'the silence verdict' });
    expect(silences).toHaveLength(1);
    expect(silences[0]).toBeGreaterThan(30);
    expect(pings).toBeGreaterThan(0);
  });
});
