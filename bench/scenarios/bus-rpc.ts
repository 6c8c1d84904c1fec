import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { defineRpc } from '@switchboard/protocol';
import { z } from 'zod';
import { type LoadResult, rowOf, runClosedLoop } from '../lib/closed-loop.ts';
import type { BenchContext, BenchRow, Scenario } from '../lib/scenario.ts';

const EchoRpc = defineRpc(
  'echo',
  z.object({ text: z.string() }).strict(),
  z.object({ text: z.string() }).strict(),
);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const requestTimeoutMs = 10_000;

/** Latencies come from a histogram in µs: more digits than that are float noise. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function reportErrors(context: BenchContext, variant: string, result: LoadResult): void {
  if (result.errors > 0) {
    context.note(
      `${variant}: ${result.errors} operations failed; first: ${String(result.firstError)}`,
    );
  }
}

/** Echo over the raw client: JSON encode and decode only, no validation, headers or envelope. */
async function measureRaw(context: BenchContext, subject: string, text: string) {
  const { params } = context;
  // The same client options the bus uses, so that the difference is the bus's own work.
  const options = { servers: params.natsServers, noAsyncTraces: true };
  const server = await connect({ ...options, name: 'bench raw server' });
  const client = await connect({ ...options, name: 'bench raw client' });
  try {
    server.subscribe(subject, {
      queue: 'bench',
      callback: (_error, msg) => {
        const request = JSON.parse(decoder.decode(msg.data)) as { text: string };
        msg.respond(encoder.encode(JSON.stringify({ text: request.text })));
      },
    });
    await server.flush();
    context.note(`raw-nats: ${params.warmupMs} ms warm-up, ${params.durationMs} ms measured`);
    return await runClosedLoop({
      ...params,
      operation: async () => {
        const reply = await client.request(subject, encoder.encode(JSON.stringify({ text })), {
          timeout: requestTimeoutMs,
        });
        JSON.parse(decoder.decode(reply.data));
      },
    });
  } finally {
    await Promise.all([client.drain(), server.drain()]);
  }
}

/** Echo through the bus: validation on both ends, headers, envelope, queue group. */
async function measureBus(context: BenchContext, namespace: string, text: string) {
  const { params } = context;
  const options = {
    namespace,
    servers: params.natsServers,
    requestTimeoutMs: () => requestTimeoutMs,
  };
  const buses: NatsBus[] = [];
  try {
    const server = await connectNatsBus({ ...options, name: 'bench bus server' });
    buses.push(server);
    const client = await connectNatsBus({ ...options, name: 'bench bus client' });
    buses.push(client);
    const subject = server.subjects.rpc('router', 'bench.echo');
    server.serve(subject, EchoRpc, async (request) => ({ text: request.text }), {
      queue: server.subjects.queueGroup('router'),
    });
    await server.ping();
    context.note(`bus: ${params.warmupMs} ms warm-up, ${params.durationMs} ms measured`);
    return await runClosedLoop({
      ...params,
      operation: () => client.request(subject, EchoRpc, { text }),
    });
  } finally {
    await Promise.all(buses.map((bus) => bus.close()));
  }
}

/** Deletes the event stream the bus created for the bench namespace. */
async function cleanUp(servers: string[], namespace: string): Promise<void> {
  const nc: NatsConnection = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`${namespace}_events`).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** RPC round trips through `@switchboard/bus` against the raw NATS client, same server and load. */
export const busRpc: Scenario = {
  name: 'bus-rpc',
  description:
    'echo RPC round trips: @switchboard/bus (serve + request) vs raw nc.request/subscribe with JSON only (same client options, noAsyncTraces); separate server and client connections; closed loop with a fixed number of requests in flight, raw first, each after its own warm-up',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const namespace = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const text = 'x'.repeat(context.params.payloadBytes);
    try {
      const raw = await measureRaw(context, `${namespace}.v1.raw.echo`, text);
      reportErrors(context, 'raw-nats', raw);
      const bus = await measureBus(context, namespace, text);
      reportErrors(context, 'bus', bus);
      const rawRow = rowOf('raw-nats', raw);
      const busRow = rowOf('bus', bus);
      const throughput = (row: BenchRow) => row.ops / row.elapsedMs;
      busRow.extra = {
        ...busRow.extra,
        'ops/s vs raw': `${(throughput(busRow) / throughput(rawRow)).toFixed(2)}x`,
        'Δp50 ms': roundMs(busRow.p50Ms - rawRow.p50Ms),
        'Δp99 ms': roundMs(busRow.p99Ms - rawRow.p99Ms),
      };
      return [rawRow, busRow];
    } finally {
      await cleanUp(context.params.natsServers, namespace);
    }
  },
};
