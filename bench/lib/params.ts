import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Parameters every scenario shares; each is a flag and an env variable (flag wins). */
export const BenchParamsSchema = z.object({
  /** Length of the measured window of each variant. */
  durationMs: z.coerce.number().int().positive().default(5000),
  /** Load applied before measuring, so that JIT, connections and caches are warm. */
  warmupMs: z.coerce.number().int().nonnegative().default(1000),
  /** Operations in flight at once (closed loop: each worker waits for its reply). */
  concurrency: z.coerce.number().int().positive().default(32),
  /** Size of the string each operation carries. */
  payloadBytes: z.coerce.number().int().nonnegative().default(128),
  /** NATS servers, comma-separated (same variable as the services). */
  natsServers: z
    .string()
    .default('nats://127.0.0.1:4222')
    .transform((servers) => servers.split(',').map((server) => server.trim())),
});

/** The parameters of one run. */
export type BenchParams = z.infer<typeof BenchParamsSchema>;

/** Command line: scenario names, then parameters. */
export interface BenchArgs {
  scenarios: string[];
  params: BenchParams;
}

const flags = {
  'duration-ms': { key: 'durationMs', env: 'SB_BENCH_DURATION_MS' },
  'warmup-ms': { key: 'warmupMs', env: 'SB_BENCH_WARMUP_MS' },
  concurrency: { key: 'concurrency', env: 'SB_BENCH_CONCURRENCY' },
  'payload-bytes': { key: 'payloadBytes', env: 'SB_BENCH_PAYLOAD_BYTES' },
  'nats-servers': { key: 'natsServers', env: 'SB_NATS__SERVERS' },
} as const;

/** Usage text for `--help` and for a bad flag. */
export const usage = [
  'usage: pnpm bench [scenario...] [--flag value...]',
  ...Object.entries(flags).map(([flag, { env }]) => `  --${flag} (env ${env})`),
].join('\n');

/** Reads scenario names and parameters from argv and env; throws with a readable message. */
export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv): BenchArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: Object.fromEntries(
      Object.keys(flags).map((flag) => [flag, { type: 'string' as const }]),
    ),
  });
  const raw: Record<string, string | undefined> = {};
  for (const [flag, { key, env: name }] of Object.entries(flags)) {
    const fromFlag = values[flag];
    raw[key] = typeof fromFlag === 'string' ? fromFlag : env[name];
  }
  const parsed = BenchParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid bench parameters: ${issues.join('; ')}\n${usage}`);
  }
  return { scenarios: positionals, params: parsed.data };
}
