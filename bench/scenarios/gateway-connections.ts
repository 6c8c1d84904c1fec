import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestContext, spawnService } from '@switchboard/testing';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { BenchRow, Scenario } from '../lib/scenario.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Resident memory of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Idle agents on one gateway process: N connections (hello, register, heartbeats answered)
 * opened by load-generator processes; reports the connect rate, connect latency, the largest
 * count reached and the gateway's resident memory per idle connection.
 */
export const gatewayConnections: Scenario = {
  name: 'gateway-connections',
  description:
    'idle agents on one gateway process (SB_BENCH_AGENTS, default 10000) from 4 load-generator processes: connects/s, RSS per connection',
  async run({ note }) {
    const total = Number(process.env.SB_BENCH_AGENTS ?? 10_000);
    const workers = Number(process.env.SB_BENCH_AGENT_PROCESSES ?? 4);
    const context = await createTestContext();
    const keys = await generateKeyPair('ES256');
    const token = await new SignJWT({ agent_ids: ['*'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('bench')
      .setIssuer('bench')
      .setAudience('switchboard')
      .setExpirationTime('2h')
      .sign(keys.privateKey);
    const gateway = await spawnService('gateway', {
      ...context.env,
      SB_GATEWAY__PORT: '0',
      SB_LOG__LEVEL: 'warn',
      SB_GATEWAY__AUTH__JWT__ISSUER: 'bench',
      SB_GATEWAY__AUTH__JWT__AUDIENCE: 'switchboard',
      SB_GATEWAY__AUTH__JWT__PUBLIC_KEYS: await exportSPKI(keys.publicKey),
      // One address and one credential open every connection: lift their limits for the run.
      SB_GATEWAY__RATE_LIMITS__PER_IP__CAPACITY: '10000000',
      SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: '10000000',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '10000000',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '10000000',
    });
    const pid = gateway.child.pid as number;
    const rssBefore = rssBytes(pid);
    note(
      `gateway pid ${pid} on port ${gateway.port}, RSS ${(rssBefore / 1048576).toFixed(0)} MiB; opening ${total} agents`,
    );
    const children = Array.from({ length: workers }, () =>
      fork(join(here, '../workers/idle-agents.ts'), { execArgv: ['--import', 'tsx'] }),
    );
    const started = performance.now();
    const results = await Promise.all(
      children.map(
        (child, index) =>
          new Promise<{ latencies: number[]; failures: number }>((resolve) => {
            child.on(
              'message',
              (message: {
                kind: string;
                message?: string;
                latencies?: number[];
                failures?: number;
              }) => {
                if (message.kind === 'error') note(`worker ${index}: ${message.message}`);
                else
                  resolve({ latencies: message.latencies ?? [], failures: message.failures ?? 0 });
              },
            );
            child.send({
              url: `ws://127.0.0.1:${gateway.port}/v1/connect`,
              token,
              count: Math.ceil(total / workers),
              prefix: `bench-${index}`,
              concurrency: 50,
            });
          }),
      ),
    );
    const elapsedMs = performance.now() - started;
    const latencies = results.flatMap((result) => result.latencies).sort((a, b) => a - b);
    const failures = results.reduce((sum, result) => sum + result.failures, 0);
    // Let allocations settle before reading memory: idle connections, heartbeats flowing.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rssAfter = rssBytes(pid);
    note(
      `${latencies.length} connected, ${failures} failed, RSS ${(rssAfter / 1048576).toFixed(0)} MiB`,
    );
    for (const child of children) child.kill('SIGTERM');
    await gateway.stop('SIGTERM');
    await context.cleanup();
    const row: BenchRow = {
      variant: 'idle-agents',
      ops: latencies.length,
      elapsedMs,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      extra: {
        'connects/s': Math.round(latencies.length / (elapsedMs / 1000)),
        'max connected': latencies.length,
        failed: failures,
        'RSS before MiB': Math.round(rssBefore / 1048576),
        'RSS after MiB': Math.round(rssAfter / 1048576),
        'KiB per connection': Math.round(
          (rssAfter - rssBefore) / 1024 / Math.max(1, latencies.length),
        ),
      },
    };
    return [row];
  },
};
