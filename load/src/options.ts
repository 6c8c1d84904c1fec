import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ALL_FAULTS, type Fault, parseFaults, SMOKE_FAULTS } from './chaos/faults.ts';
import { DEFAULT_MIX, type Mix, parseMix } from './operations.ts';

/** The scenarios `pnpm load <scenario>` runs. */
export const Scenarios = [
  'mixed',
  'ramp',
  'stress',
  'soak',
  'smoke',
  'stress-smoke',
  'chaos',
] as const;
export type Scenario = (typeof Scenarios)[number];

/** Whether a run follows the stress scenario's phases (its CI smoke is a short one). */
export const isStress = (scenario: Scenario) =>
  scenario === 'stress' || scenario === 'stress-smoke';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting of a run; each is a `--kebab-case` flag. */
export const LoadOptionsSchema = z.object({
  agents: count(1000).describe('Agents, spread over two gateways'),
  generators: count(2).describe('Generator processes the agents and the load are split over'),
  rate: z.coerce
    .number()
    .positive()
    .default(200)
    .describe(
      'Offered operations/s (mixed, smoke); stress, soak: the knee (a ramp’s highest passed step); with --keep-rate-limits the limits are sized to it',
    ),
  durationMs: ms(60_000).describe('Length of the measured phase (mixed, smoke; soak: 10 min)'),
  warmupMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(5000)
    .describe('Load before measuring, at the first rate'),
  mix: z
    .string()
    .default('')
    .describe('Operation weights, e.g. direct=30,broadcast=0 (others keep their default)'),
  payloadBytes: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(128)
    .describe('Size of the text each operation carries'),
  requestTimeoutMs: ms(30_000).describe('How long a client waits for any one answer'),
  drainTimeoutMs: ms(120_000).describe(
    'How long the run waits for deliveries and tasks to settle before checking',
  ),
  baselineMs: ms(20_000).describe('Stress: time at half the knee before the overload'),
  overloadMs: ms(30_000).describe('Stress: time at twice the knee'),
  recoveryMs: ms(60_000).describe('Stress: time at half the knee after the overload'),
  settleSeconds: count(5).describe(
    'Stress: healthy seconds in a row (p99 within --p99-target-ms, no errors) that count as recovered',
  ),
  startRate: z.coerce
    .number()
    .positive()
    .default(50)
    .describe('Ramp: the first step’s offered rate'),
  stepFactor: z.coerce
    .number()
    .gt(1)
    .default(1.5)
    .describe('Ramp: each step offers this times the last'),
  stepDurationMs: ms(20_000).describe('Ramp: length of each step'),
  maxRate: z.coerce
    .number()
    .positive()
    .default(100_000)
    .describe('Ramp: never offer more than this'),
  p99TargetMs: ms(500).describe(
    'Ramp: a step passes while every operation’s p99 is within this; stress: recovered once the p99 of every second stays within it',
  ),
  minSamples: count(100).describe(
    'Ramp: completions an operation needs in a step for its own p99 to judge the step (fewer: the p99 of all operations does)',
  ),
  stepRetries: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(1)
    .describe('Ramp: times a failed step is run again at the same rate before the ramp stops'),
  maxInFlight: count(5000).describe(
    'Per generator: operations in flight past which an arrival is counted E_GENERATOR_SATURATED',
  ),
  connectConcurrency: count(16).describe('Per generator: agents connecting at once during set-up'),
  sampleMs: ms(1000).describe('How often memory and CPU of each process are read'),
  startTimeoutMs: ms(120_000).describe('How long each service may take to start'),
  keepRateLimits: z
    .stringbool()
    .default(false)
    .describe(
      'Keep the services’ rate limits (lifted by default: one credential drives everything)',
    ),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info'])
    .default('warn')
    .describe('Services’ log level'),
  faults: z
    .string()
    .default(ALL_FAULTS)
    .describe(
      'Chaos: faults in order, e.g. kill:router,kill:gateway-a+state,pause:tasks,redis-loss,nats-restart,postgres-restart:immediate (default: all, every kind)',
    ),
  faultSpacingMs: ms(20_000).describe('Chaos: time from one fault to the next (its phase)'),
  faultFreeMs: ms(15_000).describe(
    'Chaos: load without faults before the first and after the last',
  ),
  injectAfterMs: ms(3000).describe('Chaos: when a fault comes after its phase began'),
  pauseMs: ms(10_000).describe('Chaos: how long a paused service stays SIGSTOPped'),
  restartDelayMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(1000)
    .describe('Chaos: how long the supervisor waits before it starts an ended service again'),
  soakSampleMs: ms(5000).describe(
    'Soak: how often each service’s memory (/metrics), the Redis keys and table sizes are read',
  ),
  soakWarmupMs: ms(120_000).describe('Soak: time from the start left out of the slopes'),
  maxRssMibPerMin: z.coerce
    .number()
    .nonnegative()
    .default(2)
    .describe('Soak: the largest RSS slope of any service after the warm-up, MiB/min'),
  maxHeapMibPerMin: z.coerce
    .number()
    .nonnegative()
    .default(1)
    .describe('Soak: the largest V8 heap-used slope of any service after the warm-up, MiB/min'),
  maxRedisKeysPerMin: z.coerce
    .number()
    .nonnegative()
    .default(100)
    .describe('Soak: the largest slope of the namespace’s Redis key count, keys/min'),
  maxTableMibPerMin: z.coerce
    .number()
    .nonnegative()
    .default(0.5)
    .describe('Soak: the largest size slope of a table a retention job trims, MiB/min'),
  maxTableRowsPerMin: z.coerce
    .number()
    .nonnegative()
    .default(100)
    .describe(
      'Soak: the largest slope of the live rows of a table a retention job trims, rows/min',
    ),
  reportDir: z
    .string()
    .default('reports/load')
    .describe('Where each run writes report.md, report.html and result.json'),
  reference: z
    .stringbool()
    .default(false)
    .describe('Also write docs/load-report.md and reports/load/reference/<scenario>.html'),
});

export type LoadOptions = z.infer<typeof LoadOptionsSchema> & {
  scenario: Scenario;
  parsedMix: Mix;
  parsedFaults: Fault[];
};

/**
 * What the smoke scenario changes: a small run that fits CI's two and a half minutes on two
 * cores. The mix without faults (what `mixed` checks), then a short chaos schedule: a router and
 * a gateway killed, Redis lost.
 */
const SMOKE_DEFAULTS: Record<string, string> = {
  agents: '40',
  rate: '40',
  'duration-ms': '30000',
  'warmup-ms': '2000',
  'drain-timeout-ms': '30000',
  'connect-concurrency': '8',
  // Enough broadcasts that the smoke always sends some: it fails on an operation never
  // completed, and at 0.5 (about 5 in a run) one run in a hundred drew none. At 2 about 19, and
  // none once in 10^8 runs; with 40 agents a broadcast is 39 deliveries (the limits are lifted).
  mix: 'broadcast=2',
  faults: SMOKE_FAULTS,
  'fault-free-ms': '5000',
  'fault-spacing-ms': '6000',
  'inject-after-ms': '1000',
  'request-timeout-ms': '6000',
};

/**
 * The stress scenario's smoke for CI: 40 agents, the limits kept and sized to a knee of 60/s, so
 * the overload (120/s for 8 s) is shed with `E_RATE_LIMITED`; then it must recover within 15 s
 * and lose nothing.
 */
const STRESS_SMOKE_DEFAULTS: Record<string, string> = {
  agents: '40',
  rate: '60',
  'warmup-ms': '2000',
  'baseline-ms': '6000',
  'overload-ms': '8000',
  'recovery-ms': '15000',
  'keep-rate-limits': 'true',
  'drain-timeout-ms': '30000',
  'connect-concurrency': '8',
  'request-timeout-ms': '6000',
  // As in `smoke`: at the default weight a run of about 1,000 operations may draw none.
  mix: 'broadcast=2',
};

/** The chaos scenario: the mix at about half the reference knee (203/s) while faults run. */
// Requests given up after 15 s: a fault holds the operations in flight at most that long.
const CHAOS_DEFAULTS: Record<string, string> = { rate: '100', 'request-timeout-ms': '15000' };

/** The soak: half the reference knee (203/s) for ten minutes. */
const SOAK_DEFAULTS: Record<string, string> = { rate: '203', 'duration-ms': '600000' };

const DEFAULTS: Partial<Record<Scenario, Record<string, string>>> = {
  smoke: SMOKE_DEFAULTS,
  'stress-smoke': STRESS_SMOKE_DEFAULTS,
  soak: SOAK_DEFAULTS,
  chaos: CHAOS_DEFAULTS,
};

const kebab = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Usage text for `--help` and for a bad flag. */
export function usage(): string {
  const lines = Object.entries(LoadOptionsSchema.shape).map(
    ([key, schema]) => `  --${kebab(key)}  ${schema.description ?? ''}`,
  );
  return [
    `usage: pnpm load <${Scenarios.join('|')}> [--flag value...]`,
    '  mixed: the mix at --rate for --duration-ms; ramp: steps up until p99 or errors give;',
    '  stress: half the knee (--rate), twice it, half again: shedding, memory, recovery time;',
    '  soak: half the knee (--rate) for --duration-ms (10 min): memory, Redis keys and table',
    '  sizes sampled, their slopes after --soak-warmup-ms within the --max-*-per-min bounds;',
    '  chaos: the mix while --faults are injected, on a Postgres, Redis and NATS of its own;',
    '  smoke: a small chaos run with three faults (CI); stress-smoke: a small stress run (CI).',
    '  Every run ends with the invariant checker.',
    ...lines,
  ].join('\n');
}

/** Reads the scenario and flags; throws with a readable message. */
export function parseLoadArgs(argv: string[]): LoadOptions {
  const keys = Object.keys(LoadOptionsSchema.shape);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: Object.fromEntries(keys.map((key) => [kebab(key), { type: 'string' as const }])),
  });
  const scenario = z.enum(Scenarios).safeParse(positionals[0]);
  if (!scenario.success || positionals.length !== 1) {
    throw new Error(`name one scenario\n${usage()}`);
  }
  const given = { ...DEFAULTS[scenario.data], ...values };
  const raw = Object.fromEntries(keys.map((key) => [key, given[kebab(key)]]));
  const parsed = LoadOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `--${kebab(String(issue.path[0]))}: ${issue.message}`,
    );
    throw new Error(`${issues.join('; ')}\n${usage()}`);
  }
  return {
    ...parsed.data,
    scenario: scenario.data,
    parsedMix: parseMix(parsed.data.mix, DEFAULT_MIX),
    parsedFaults: parseFaults(parsed.data.faults),
  };
}
