import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mintApiKey } from '@switchboard/authz';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
} from '@switchboard/testing';
import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { cpuSeconds, pidsNamed } from '../lib/mesh.ts';
import type { BenchContext, BenchRow, Scenario } from '../lib/scenario.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PAYLOAD_BYTES = 256;

interface PhaseReport {
  accepted: number;
  errors: number;
  deliveredInWindow: number;
  delivered: number;
  latency: string;
  acceptLatency: string;
}

class Workers {
  constructor(private readonly children: ChildProcess[]) {}

  private ask(message: unknown, kind: string): Promise<Array<Record<string, unknown>>> {
    return Promise.all(
      this.children.map(
        (child) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            const listener = (reply: Record<string, unknown>) => {
              if (reply.kind === 'error') reject(new Error(String(reply.message)));
              else if (reply.kind === kind) {
                child.off('message', listener);
                resolve(reply);
              }
            };
            child.on('message', listener);
            child.send(message as object);
          }),
      ),
    );
  }

  setUp(setups: unknown[]): Promise<unknown> {
    return Promise.all(
      this.children.map(
        (child, index) =>
          new Promise((resolve, reject) => {
            child.once('message', (reply: { kind: string; message?: string }) =>
              reply.kind === 'ready' ? resolve(reply) : reject(new Error(reply.message)),
            );
            child.send(setups[index] as object);
          }),
      ),
    );
  }

  async phase(
    command: unknown,
  ): Promise<PhaseReport & { histogram: Histogram; acceptHistogram: Histogram }> {
    const replies = (await this.ask(command, 'phase')) as unknown as PhaseReport[];
    const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
    const acceptHistogram = build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 120_000_000,
    });
    for (const reply of replies) {
      histogram.add(decodeFromCompressedBase64(reply.latency));
      acceptHistogram.add(decodeFromCompressedBase64(reply.acceptLatency));
    }
    const sum = (key: 'accepted' | 'errors' | 'deliveredInWindow' | 'delivered') =>
      replies.reduce((total, reply) => total + reply[key], 0);
    return {
      accepted: sum('accepted'),
      errors: sum('errors'),
      deliveredInWindow: sum('deliveredInWindow'),
      delivered: sum('delivered'),
      latency: '',
      acceptLatency: '',
      histogram,
      acceptHistogram,
    };
  }

  stop(): void {
    for (const child of this.children) child.send({ cmd: 'stop' });
  }
}

const ms = (histogram: Histogram, percentile: number) =>
  Math.round(histogram.getValueAtPercentile(percentile)) / 1000;

/** The router's timing sums and counts from its /metrics, to take means over a phase. */
async function routerTimings(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  // Default labels (service, instance) may sit beside the ones named here.
  const read = (name: string, label = '') =>
    Number(new RegExp(`${name}\\{[^}]*${label}[^}]*\\} (\\S+)`).exec(text)?.[1] ?? 0);
  const pair = (name: string, label = '') => ({
    sum: read(`${name}_sum`, label),
    count: read(`${name}_count`, label),
  });
  return {
    send: pair('sb_bus_request_duration_seconds', 'operation="send"'),
    ack: pair('sb_bus_request_duration_seconds', 'operation="ack"'),
    batch: pair('sb_router_accept_batch_size'),
    delivery: pair('sb_router_delivery_latency_seconds'),
    acceptWrite: pair('sb_router_statement_duration_seconds', 'statement="accept"'),
    claimWrite: pair('sb_router_statement_duration_seconds', 'statement="claim"'),
    ackWrite: pair('sb_router_statement_duration_seconds', 'statement="ack"'),
    // prom-client resets its event-loop histogram at each scrape: these cover the time since
    // the reading before (the steady phase).
    loopDelay: {
      mean: read('nodejs_eventloop_lag_mean_seconds'),
      p99: read('nodejs_eventloop_lag_p99_seconds'),
    },
  };
}

/** Where an accepted message waited in the router between two readings (means). */
function routerFigures(
  before: Awaited<ReturnType<typeof routerTimings>>,
  after: Awaited<ReturnType<typeof routerTimings>>,
): string {
  // prom-client samples the loop with a 10 ms timer: an idle loop reads 10 ms.
  const late = (seconds: number) => Math.max(0, 1000 * seconds - 10).toFixed(1);
  const mean = (key: Exclude<keyof typeof before, 'loopDelay'>) =>
    (after[key].sum - before[key].sum) / Math.max(1, after[key].count - before[key].count);
  return `send served in ${(1000 * mean('send')).toFixed(1)} ms, ack in ${(1000 * mean('ack')).toFixed(1)} ms, ${mean('batch').toFixed(1)} messages per accept transaction, acceptance→ack ${(1000 * mean('delivery')).toFixed(1)} ms; Postgres per batch: accept ${(1000 * mean('acceptWrite')).toFixed(1)} ms, claim ${(1000 * mean('claimWrite')).toFixed(1)} ms, ack ${(1000 * mean('ackWrite')).toFixed(1)} ms (means); its event loop ran a timer ${late(after.loopDelay.mean)} ms late on average, ${late(after.loopDelay.p99)} ms at p99`;
}

/** The ceiling: raw JetStream publish+ack, then pull-consume+ack, of the same payloads. */
async function jetStreamCeiling(context: BenchContext, messages: number) {
  const nc = await connect({ servers: context.params.natsServers, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const stream = `bench_ceiling_${process.pid}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = jsm.jetstream();
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(120);
  const window = 256;
  let next = 0;
  const publishStarted = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < messages) {
        next += 1;
        await js.publish(`${stream}.m`, payload);
      }
    }),
  );
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: 'explicit' });
  const consumer = await js.consumers.get(stream, 'c');
  const consumeStarted = performance.now();
  let consumed = 0;
  const iterator = await consumer.consume({ max_messages: 1000 });
  for await (const message of iterator) {
    message.ack();
    consumed += 1;
    if (consumed === messages) break;
  }
  const consumeSeconds = (performance.now() - consumeStarted) / 1000;
  await jsm.streams.delete(stream);
  await nc.close();
  return {
    publishPerSecond: messages / publishSeconds,
    consumePerSecond: messages / consumeSeconds,
  };
}

/**
 * Direct messages between agent pairs on two gateway processes through one router, persistence
 * and at-least-once on, 256-byte payloads, driven through the SDK by load-generator processes:
 * the peak (closed loop), then half the peak (open loop) for latency, the raw JetStream ceiling,
 * and the CPU each process used per message.
 */
export const messaging: Scenario = {
  name: 'messaging',
  description:
    'direct messages between agent pairs over 2 gateways and 1 router (SDK, 256-byte payloads): peak delivered+acked/s, p99 at half the peak, JetStream ceiling, CPU by process',
  async run(context) {
    const { note, params } = context;
    const pairs = Number(process.env.SB_BENCH_PAIRS ?? 64);
    const workerCount = Number(process.env.SB_BENCH_AGENT_PROCESSES ?? 2);
    const window = Number(process.env.SB_BENCH_WINDOW ?? 8);
    const testContext = await createTestContext();
    const bootstrap = mintApiKey();
    // SB_BENCH_PAYLOADS=encrypted stores payloads AES-256-GCM encrypted and compresses them
    // (gzip from 128 bytes, so the 256-byte payloads are compressed too), at rest and on NATS.
    const payloads: Record<string, string> =
      process.env.SB_BENCH_PAYLOADS === 'encrypted'
        ? {
            SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify({
              bench: randomBytes(32).toString('base64'),
            }),
            SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: 'bench',
            SB_PAYLOADS__COMPRESSION__ALGORITHM: 'gzip',
            SB_PAYLOADS__COMPRESSION__THRESHOLD_BYTES: '128',
          }
        : {};
    const common = { ...testContext.env, SB_LOG__LEVEL: 'warn', ...payloads };
    // SB_BENCH_PROFILE=router,gateway-a writes V8 CPU profiles of those services to bench/results.
    const profiled = new Set((process.env.SB_BENCH_PROFILE ?? '').split(',').filter(Boolean));
    const profile = (id: string) => ({
      nodeArgs: profiled.has(id)
        ? // One folder per service: tsx's loader thread writes a profile of its own.
          ['--cpu-prof', `--cpu-prof-dir=${join(here, '../results', `${id}-${Date.now()}`)}`]
        : [],
    });
    const services: Record<string, ServiceProcess> = {};
    const children: ChildProcess[] = [];
    try {
      return await measure();
    } finally {
      for (const child of children) child.kill('SIGTERM');
      for (const service of Object.values(services)) await service.stop();
      await testContext.cleanup();
    }

    async function measure(): Promise<BenchRow[]> {
      services.router = await spawnService(
        'message-router',
        { ...common, SB_ROUTER__PORT: '0' },
        profile('router'),
      );
      for (const id of ['gateway-a', 'gateway-b']) {
        services[id] = await spawnService(
          'gateway',
          {
            ...common,
            ...liftedGatewayLimits,
            SB_GATEWAY__PORT: '0',
            SB_INSTANCE_ID: id,
            SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
          },
          profile(id),
        );
      }
      const portOf = (id: string) => services[id]?.port as number;
      const apiKey = await createAgentKey(portOf('gateway-a'), bootstrap.token);
      for (let index = 0; index < workerCount; index += 1) {
        children.push(
          fork(join(here, '../workers/messaging-agents.ts'), {
            execArgv: ['--import', 'tsx', ...profile(`generator-${index}`).nodeArgs],
          }),
        );
      }
      const workers = new Workers(children);
      await workers.setUp(
        children.map((_, index) => ({
          senderUrl: `ws://127.0.0.1:${portOf('gateway-a')}`,
          receiverUrl: `ws://127.0.0.1:${portOf('gateway-b')}`,
          apiKey,
          prefix: `w${index}`,
          pairs: Math.ceil(pairs / workerCount),
          payloadBytes: PAYLOAD_BYTES,
        })),
      );
      note(
        `${pairs} pairs in ${workerCount} generator processes, ${window} sends in flight per sender`,
      );

      const processes: Array<[string, number]> = [
        ...Object.entries(services).map(
          ([id, service]) => [id, service.child.pid as number] as [string, number],
        ),
        ...children.map(
          (child, index) => [`generator-${index}`, child.pid as number] as [string, number],
        ),
        ...['postgres', 'nats-server', 'redis-server'].flatMap((name) =>
          pidsNamed(name).map((pid) => [name, pid] as [string, number]),
        ),
      ];
      const cpuByName = () => {
        const totals = new Map<string, number>();
        for (const [name, pid] of processes) {
          try {
            totals.set(name, (totals.get(name) ?? 0) + cpuSeconds(pid));
          } catch {
            // A process that ended (a postgres backend): its time is gone with it.
          }
        }
        return totals;
      };

      await workers.phase({ cmd: 'closed', durationMs: params.warmupMs, window });
      const cpuBefore = cpuByName();
      const peak = await workers.phase({ cmd: 'closed', durationMs: params.durationMs, window });
      const cpuAfter = cpuByName();
      const seconds = params.durationMs / 1000;
      const peakRate = peak.deliveredInWindow / seconds;
      note(
        `peak: ${Math.round(peak.accepted / seconds)} accepted/s, ${Math.round(peakRate)} delivered+acked/s, ${peak.errors} errors`,
      );
      const cpuShare = [...cpuAfter]
        .map(([name, after]) => [name, after - (cpuBefore.get(name) ?? 0)] as const)
        .sort((a, b) => b[1] - a[1]);
      const cpuTotal = cpuShare.reduce((sum, [, used]) => sum + used, 0);
      note(
        `CPU during the peak (${cpuTotal.toFixed(1)} s of ${(2 * seconds).toFixed(0)} available): ${cpuShare
          .map(([name, used]) => `${name} ${((100 * used) / cpuTotal).toFixed(0)}%`)
          .join(', ')}`,
      );

      // SB_BENCH_OPEN_RATE measures latency at a chosen rate instead of half the peak.
      const half = Number(process.env.SB_BENCH_OPEN_RATE ?? Math.max(1, Math.round(peakRate / 2)));
      const routerPort = services.router?.port as number;
      const beforeSteady = await routerTimings(routerPort);
      const steady = await workers.phase({
        cmd: 'open',
        durationMs: params.durationMs,
        // Each generator process offers its share.
        ratePerSecond: half / workerCount,
      });
      note(
        `half the peak: ${half}/s offered, send→handler p50 ${ms(steady.histogram, 50)} ms, p99 ${ms(steady.histogram, 99)} ms; send→accepted p50 ${ms(steady.acceptHistogram, 50)} ms, p99 ${ms(steady.acceptHistogram, 99)} ms`,
      );

      note(`router, at that rate: ${routerFigures(beforeSteady, await routerTimings(routerPort))}`);
      workers.stop();
      const ceiling = await jetStreamCeiling(context, 50_000);
      note(
        `JetStream ceiling: publish+ack ${Math.round(ceiling.publishPerSecond)}/s, consume+ack ${Math.round(ceiling.consumePerSecond)}/s`,
      );
      const rawRate = Math.min(ceiling.publishPerSecond, ceiling.consumePerSecond);

      const rows: BenchRow[] = [
        {
          variant: 'peak (closed loop)',
          ops: peak.deliveredInWindow,
          elapsedMs: params.durationMs,
          p50Ms: ms(peak.histogram, 50),
          p99Ms: ms(peak.histogram, 99),
          extra: {
            'accepted/s': Math.round(peak.accepted / seconds),
            'delivered+acked/s': Math.round(peakRate),
            errors: peak.errors,
            'vs JetStream': `${(peakRate / rawRate).toFixed(2)}×`,
            ...Object.fromEntries(
              cpuShare.map(([name, used]) => [
                `CPU ms/msg ${name}`,
                Number(((1000 * used) / peak.deliveredInWindow).toFixed(3)),
              ]),
            ),
          },
        },
        {
          variant: `half peak (open loop, ${half}/s)`,
          ops: steady.deliveredInWindow,
          elapsedMs: params.durationMs,
          p50Ms: ms(steady.histogram, 50),
          p99Ms: ms(steady.histogram, 99),
          extra: {
            'accepted/s': Math.round(steady.accepted / seconds),
            'delivered+acked/s': Math.round(steady.deliveredInWindow / seconds),
            errors: steady.errors,
          },
        },
        {
          variant: 'JetStream publish+ack (ceiling)',
          ops: 50_000,
          elapsedMs: (50_000 / ceiling.publishPerSecond) * 1000,
          p50Ms: 0,
          p99Ms: 0,
        },
        {
          variant: 'JetStream consume+ack (ceiling)',
          ops: 50_000,
          elapsedMs: (50_000 / ceiling.consumePerSecond) * 1000,
          p50Ms: 0,
          p99Ms: 0,
        },
      ];
      return rows;
    }
  },
};
