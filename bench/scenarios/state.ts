import { mintApiKey } from '@switchboard/authz';
import { type AgentClient, connect, isSbError } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { rowOf, runClosedLoop } from '../lib/closed-loop.ts';
import type { BenchRow, Scenario } from '../lib/scenario.ts';

const SHARED_SCOPE = 'bench.shared';

/**
 * Versioned state through the SDK, a gateway process and a state process: cached reads and
 * versioned writes by one agent and by many, and writers racing on one key (the conflict rate).
 */
export const state: Scenario = {
  name: 'state',
  description:
    'state through the SDK, a gateway and the state service: cached reads/s, versioned writes/s (one agent, many agents), conflict rate with writers racing on one key',
  async run({ params, note }) {
    const agentsCount = Number(process.env.SB_BENCH_AGENTS ?? 16);
    const context = await createTestContext();
    const bootstrap = mintApiKey();
    const services: ServiceProcess[] = [];
    const clients: AgentClient[] = [];
    const document = { text: 'x'.repeat(Math.max(0, params.payloadBytes - 12)) };
    try {
      const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
      services.push(await spawnService('state', { ...common, SB_STATE__PORT: '0' }));
      const gateway = await spawnService('gateway', {
        ...common,
        ...liftedGatewayLimits,
        SB_GATEWAY__PORT: '0',
        SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
      });
      services.push(gateway);
      const apiKey = await createAgentKey(gateway.port, bootstrap.token, [
        { kind: 'state', scopes: [SHARED_SCOPE], access: ['read', 'write'] },
      ]);
      for (let index = 0; index < agentsCount; index += 1) {
        clients.push(
          await connect({
            url: `ws://127.0.0.1:${gateway.port}`,
            apiKey,
            agent: { id: `bench-state-${index}`, name: 'bench', version: '1' },
          }),
        );
      }
      const [first] = clients as [AgentClient];
      const rows: BenchRow[] = [];
      const loop = (operation: () => Promise<unknown>, concurrency = params.concurrency) =>
        runClosedLoop({
          concurrency,
          durationMs: params.durationMs,
          warmupMs: params.warmupMs,
          operation,
        });

      // Reads: each agent's own key, written once; the state service serves them from Redis.
      for (const client of clients) await client.store.put('doc', document, { expectedVersion: 0 });
      rows.push(rowOf('cached read, 1 agent', await loop(() => first.store.get('doc'))));
      let turn = 0;
      const anyClient = () => clients[turn++ % clients.length] as AgentClient;
      rows.push(
        rowOf(`cached read, ${agentsCount} agents`, await loop(() => anyClient().store.get('doc'))),
      );

      // Writes: one chain of versions per key, so no write conflicts; many keys in flight.
      const versions = new Map<string, number>();
      const writeNext = async (client: AgentClient, key: string) => {
        const id = `${client.agentId}/${key}`;
        const expectedVersion = versions.get(id) ?? 0;
        versions.set(id, expectedVersion + 1);
        await client.store.put(key, document, { expectedVersion });
      };
      let slot = 0;
      rows.push(
        rowOf(
          'versioned write, 1 agent',
          await loop(() => writeNext(first, `w${slot++ % params.concurrency}`)),
        ),
      );
      rows.push(
        rowOf(
          `versioned write, ${agentsCount} agents`,
          await loop(() => {
            const client = anyClient();
            return writeNext(client, `w${slot++ % 2}`);
          }),
        ),
      );

      // Contention: every agent reads the shared key, then writes at the version it read.
      await first.store.put('hot', { n: 0 }, { expectedVersion: 0, scope: SHARED_SCOPE });
      let conflicts = 0;
      let committed = 0;
      const race = async () => {
        const client = anyClient();
        const current = await client.store.get('hot', { scope: SHARED_SCOPE });
        try {
          await client.store.put(
            'hot',
            { n: committed },
            {
              expectedVersion: current.version,
              scope: SHARED_SCOPE,
            },
          );
          committed += 1;
        } catch (error) {
          if (!isSbError(error) || error.code !== 'E_CONFLICT') throw error;
          conflicts += 1;
        }
      };
      const contention = await loop(race, agentsCount);
      const attempts = committed + conflicts;
      rows.push(
        rowOf(`read+write one key, ${agentsCount} agents`, contention, {
          'conflict rate': `${((100 * conflicts) / Math.max(1, attempts)).toFixed(0)} %`,
          'committed/s': Math.round(committed / (params.durationMs / 1000)),
        }),
      );
      note(`${agentsCount} agents; documents of ${params.payloadBytes} bytes`);
      return rows;
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      for (const service of services) await service.stop();
      await context.cleanup();
    }
  },
};
