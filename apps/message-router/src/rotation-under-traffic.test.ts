import { randomBytes } from 'node:crypto';
import { mintApiKey } from '@switchboard/authz';
import { connectPostgres, type Database } from '@switchboard/db';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
  type TestContext,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastTimers } from './test-router.ts';

// The "rotation mid-traffic loses nothing", end to end: SDK agents send messages and
// write state through a real gateway, router and state service with payload encryption on,
// while the key ring is rolled (new replicas started beside the old ones, then the old ones
// stopped, as a rolling restart does) to a new active key and the re-encryption job runs.

const PAIRS = 4;
const secret = 'rotation-plaintext-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };

/** The payload settings of a replica: which keys it holds and which one new writes use. */
function encryption(activeKeyId: keyof typeof keys, ring: (keyof typeof keys)[]) {
  return {
    SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
    SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
      Object.fromEntries(ring.map((id) => [id, keys[id]])),
    ),
    // Small pages: the job takes many steps, interleaved with the writes.
    SB_PAYLOADS__REENCRYPT__BATCH_SIZE: '20',
  };
}

let context: TestContext;
let gateway: ServiceProcess;
const admin = mintApiKey();
let database: Database;
const processes: ServiceProcess[] = [];
const clients: AgentClient[] = [];
// Set while traffic runs, so that a failed test still stops it before the clients close.
let stopTraffic: (() => Promise<unknown>) | undefined;
// A replica starts (tsx, migrations) on a machine busy with the traffic: more than the default.
const READY_TIMEOUT_MS = 90_000;
// Each sender's pause between rounds: steady traffic that leaves the CPU to the restarts.
const ROUND_PAUSE_MS = 5;

/** Starts a router and a state replica holding `settings`; resolves with both. */
async function startReplicas(settings: Record<string, string>): Promise<ServiceProcess[]> {
  // Small pools: up to four replicas at once stay well under Postgres' connection limit.
  const common = { ...context.env, SB_LOG__LEVEL: 'warn', SB_POSTGRES__POOL_MAX: '4', ...settings };
  const started = await Promise.all([
    spawnService(
      'message-router',
      { ...common, ...fastTimers, SB_ROUTER__PORT: '0' },
      { timeoutMs: READY_TIMEOUT_MS },
    ),
    // Every version of every write stays in history, so the test can read each one back.
    spawnService(
      'state',
      { ...common, SB_STATE__PORT: '0', SB_STATE__HISTORY__KEEP_VERSIONS: '1000000' },
      { timeoutMs: READY_TIMEOUT_MS },
    ),
  ]);
  processes.push(...started);
  return started;
}

async function stopReplicas(replicas: ServiceProcess[]): Promise<void> {
  // SIGTERM: each drains its subscriptions first, the other replicas take the traffic.
  await Promise.all(replicas.map((replica) => replica.stop()));
}

/** Runs `service`'s re-encryption job over the operator API until nothing is left behind. */
async function reencrypt(service: 'router' | 'state'): Promise<number> {
  let moved = 0;
  let cursor: string | undefined;
  for (;;) {
    const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(
      `http://127.0.0.1:${gateway.port}/v1/payloads/${service}/reencrypt${query}`,
      { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } },
    );
    expect(response.status).toBe(200);
    const step = (await response.json()) as {
      reencrypted: number;
      cursor?: string;
      remaining: number;
      done: boolean;
    };
    moved += step.reencrypted;
    cursor = step.cursor;
    if (cursor === undefined && step.remaining === 0) return moved;
  }
}

interface Traffic {
  /** Ids of every message the router accepted. */
  accepted: string[];
  /** Handler calls per message id. */
  handled: Map<string, number>;
  /** Per writer: the value each accepted state write stored, by version. */
  written: Map<AgentClient, Map<number, unknown>>;
  /** Stops the senders and writers; resolves when their last call has answered. */
  stop(): Promise<void>;
}

/** Each pair: a sender that sends and writes its state in a loop, a receiver that counts. */
async function startTraffic(): Promise<Traffic> {
  const agentKey = await createAgentKey(gateway.port, admin.token, [
    { kind: 'publish', topics: ['>'] },
  ]);
  const agent = async (id: string) => {
    const client = await connect({
      url: `ws://127.0.0.1:${gateway.port}`,
      apiKey: agentKey,
      agent: { id, name: id, version: '1' },
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      requestTimeoutMs: 20_000,
    });
    clients.push(client);
    return client;
  };
  const traffic: Omit<Traffic, 'stop'> = { accepted: [], handled: new Map(), written: new Map() };
  let running = true;
  const loops: Promise<void>[] = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const receiver = await agent(`rot-rx-${pair}`);
    receiver.onMessage((message) => {
      traffic.handled.set(message.id, (traffic.handled.get(message.id) ?? 0) + 1);
    });
    const sender = await agent(`rot-tx-${pair}`);
    const versions = new Map<number, unknown>();
    traffic.written.set(sender, versions);
    loops.push(
      (async () => {
        for (let n = 0; running; n += 1) {
          const payload = { secret, pair, n };
          const [sent, stored] = await Promise.all([
            sender.sendTo(`rot-rx-${pair}`, payload, { timeoutMs: 60_000 }),
            // Each write names the version it expects: a write lost or applied twice would
            // surface as E_CONFLICT here.
            sender.store.put('progress', payload, { expectedVersion: versions.size }),
          ]);
          traffic.accepted.push(sent.messageId);
          versions.set(stored.version, payload);
          await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
        }
      })(),
    );
  }
  stopTraffic = () => {
    running = false;
    return Promise.allSettled(loops);
  };
  return {
    ...traffic,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Waits until `count` more messages are accepted: traffic really flows across each step. */
async function moreAccepted(traffic: Traffic, count: number): Promise<void> {
  const target = traffic.accepted.length + count;
  await waitFor(() => traffic.accepted.length >= target, {
    timeoutMs: 60_000,
    what: `${count} more messages accepted`,
  });
}

beforeAll(async () => {
  context = await createTestContext();
  gateway = await spawnService('gateway', {
    ...context.env,
    SB_LOG__LEVEL: 'warn',
    SB_GATEWAY__PORT: '0',
    SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: admin.sha256,
    ...liftedGatewayLimits,
  });
  database = await connectPostgres(
    { url: context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
}, 60_000);
afterAll(async () => {
  await stopTraffic?.();
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(processes.map((replica) => replica.stop()));
  await gateway?.stop();
  await database?.close();
  await context?.cleanup();
});

describe('payload key rotation under live traffic', () => {
  it('loses no message and no state write while the ring rolls to a new key and the job moves every record', async () => {
    const first = await startReplicas(encryption('k1', ['k1']));
    const traffic = await startTraffic();
    await moreAccepted(traffic, 100);

    // Rolling restart 1: every replica learns k2 (k1 still active).
    const second = await startReplicas(encryption('k1', ['k1', 'k2']));
    await stopReplicas(first);
    await moreAccepted(traffic, 100);

    // Rolling restart 2: k2 becomes active; the old replica keeps writing k1 until it stops.
    const third = await startReplicas(encryption('k2', ['k1', 'k2']));
    await moreAccepted(traffic, 50);
    await stopReplicas(second);

    const onK1 = await database.sql<{ count: number }[]>`
      SELECT count(*)::int AS count FROM router.messages WHERE key_id = 'k1'`;
    expect(onK1[0]?.count).toBeGreaterThan(0);
    const moved = await Promise.all([reencrypt('router'), reencrypt('state')]);
    expect(moved[0]).toBeGreaterThan(0);
    expect(moved[1]).toBeGreaterThan(0);
    await moreAccepted(traffic, 50);
    await traffic.stop();
    expect(third).toHaveLength(2);

    // Every accepted message handled exactly once.
    await waitFor(() => traffic.accepted.every((id) => traffic.handled.has(id)), {
      timeoutMs: 60_000,
      what: 'every accepted message handled',
    });
    expect(new Set(traffic.accepted).size).toBe(traffic.accepted.length);
    expect([...traffic.handled].filter(([, calls]) => calls !== 1)).toEqual([]);
    expect(traffic.handled.size).toBe(traffic.accepted.length);

    // Every accepted state write readable with its value: the current one and each version.
    for (const [writer, versions] of traffic.written) {
      const latest = Math.max(...versions.keys());
      expect(await writer.store.get('progress')).toMatchObject({
        version: latest,
        document: versions.get(latest),
      });
      const history = new Map<number, unknown>();
      let cursor: string | undefined;
      do {
        const page = await writer.store.history('progress', {
          limit: 100,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const item of page.items) history.set(item.version, item.document);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(history).toEqual(versions);
    }

    // Postgres: every stored payload under k2, none in clear.
    const stored = await database.sql<{ source: string; key_id: string | null; bytes: Buffer }[]>`
      SELECT 'router.messages' AS source, key_id, payload AS bytes FROM router.messages
      UNION ALL SELECT 'router.dead_letters', key_id, payload FROM router.dead_letters
      UNION ALL SELECT 'state.documents', key_id, document FROM state.documents
      UNION ALL SELECT 'state.document_history', key_id, document FROM state.document_history`;
    expect(stored.length).toBeGreaterThan(traffic.accepted.length);
    const notOnK2 = stored.filter((row) => row.key_id !== 'k2');
    expect(notOnK2.map((row) => row.source)).toEqual([]);
    const marker = Buffer.from(secret);
    expect(stored.filter((row) => row.bytes.includes(marker)).map((row) => row.source)).toEqual([]);
  }, 240_000);
});
