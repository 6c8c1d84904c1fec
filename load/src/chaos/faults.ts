import { isHealthySecond, recoverySecondsOf, type SecondLatency } from '../recovery.ts';

// The chaos scenario's fault schedule: which faults, in which order, how far apart, and what
// was recorded of each once injected. Pure: the injector (inject.ts) does the harm.

/** The mesh's service processes, by the names the load mesh gives them. */
export const MeshServices = [
  'gateway-a',
  'gateway-b',
  'router',
  'state',
  'tasks',
  'tools',
  'a2a',
] as const;
export type MeshService = (typeof MeshServices)[number];

/** A fault the scenario can inject. */
export type Fault =
  /** SIGKILL of one or more services at once, each restarted after it ended. */
  | { kind: 'kill'; services: MeshService[] }
  /** SIGSTOP of a service, SIGCONT after the pause. */
  | { kind: 'pause'; services: [MeshService] }
  /** redis-server SIGKILLed and started empty. */
  | { kind: 'redis-loss' }
  /** nats-server stopped and started on the same JetStream store. */
  | { kind: 'nats-restart' }
  /** `pg_ctl stop -m <mode>`, then start. */
  | { kind: 'postgres-restart'; mode: 'fast' | 'immediate' };
export type FaultKind = Fault['kind'];
export const FaultKinds: readonly FaultKind[] = [
  'kill',
  'pause',
  'redis-loss',
  'nats-restart',
  'postgres-restart',
];

/** Every fault once, each service killed in turn and two at once: the default and the reference. */
export const ALL_FAULTS = [
  ...MeshServices.map((service) => `kill:${service}`),
  'kill:gateway-b+router',
  'pause:tasks',
  'redis-loss',
  'nats-restart',
  'postgres-restart:fast',
  'postgres-restart:immediate',
].join(',');

/** What CI's chaos smoke injects: a short schedule that still loses a process and Redis. */
export const SMOKE_FAULTS = 'kill:router,kill:gateway-a,redis-loss';

function serviceOf(name: string, spec: string): MeshService {
  if (!(MeshServices as readonly string[]).includes(name)) {
    throw new Error(`fault ${spec}: no service ${name} (one of ${MeshServices.join(', ')})`);
  }
  return name as MeshService;
}

/**
 * Reads `--faults`: `all`, or specs separated by commas: `kill:<service>[+<service>...]`,
 * `pause:<service>`, `redis-loss`, `nats-restart`, `postgres-restart[:fast|:immediate]`.
 */
export function parseFaults(text: string): Fault[] {
  const specs = (text.trim() === 'all' ? ALL_FAULTS : text)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) throw new Error('--faults names no fault');
  return specs.map((spec): Fault => {
    const [kind, argument = ''] = spec.split(':', 2) as [string, string | undefined];
    switch (kind) {
      case 'kill': {
        const names = argument.split('+').filter((name) => name !== '');
        if (names.length === 0) throw new Error(`fault ${spec}: name the service(s) to kill`);
        const services = names.map((name) => serviceOf(name, spec));
        if (new Set(services).size !== services.length) {
          throw new Error(`fault ${spec}: a service named twice`);
        }
        return { kind, services };
      }
      case 'pause':
        return { kind, services: [serviceOf(argument, spec)] };
      case 'redis-loss':
      case 'nats-restart':
        if (argument !== '') throw new Error(`fault ${spec}: ${kind} takes no argument`);
        return { kind };
      case 'postgres-restart': {
        const mode = argument === '' ? 'fast' : argument;
        if (mode !== 'fast' && mode !== 'immediate') {
          throw new Error(`fault ${spec}: the stop mode is fast or immediate`);
        }
        return { kind, mode };
      }
      default:
        throw new Error(`fault ${spec}: unknown kind (one of ${FaultKinds.join(', ')})`);
    }
  });
}

/** What a fault hits, for the report: services, or the server. */
export function targetOf(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
    case 'pause':
      return fault.services.join(' + ');
    case 'redis-loss':
      return 'redis-server';
    case 'nats-restart':
      return 'nats-server';
    case 'postgres-restart':
      return `postgres (stop -m ${fault.mode})`;
  }
}

/** A short name of a fault, for the phase it runs in and the plots' markers. */
export function labelOf(fault: Fault): string {
  return `${fault.kind} ${targetOf(fault)}`;
}

/** A measured phase of a chaos run, with the fault injected in it. */
export interface ChaosStep {
  name: string;
  durationMs: number;
  /** The fault of this phase (none in the phases before and after the faults). */
  fault?: Fault;
  /** How long after the phase began the fault is injected. */
  injectAfterMs: number;
}

/** How the faults are spread over the run. */
export interface ChaosTiming {
  /** Length of each fault's phase (a pause's phase is longer by the pause). */
  spacingMs: number;
  /** How long a paused service stays stopped. */
  pauseMs: number;
  /** Load without faults before the first and after the last. */
  beforeMs: number;
  afterMs: number;
  /** When a phase's fault is injected after the phase began. */
  injectAfterMs: number;
}

/**
 * The chaos run's phases: one without faults, one per fault (injected `injectAfterMs` into it,
 * the rest of the phase to recover), then one without faults to show the mesh back to normal.
 */
export function chaosPlan(faults: Fault[], timing: ChaosTiming): ChaosStep[] {
  if (timing.injectAfterMs >= timing.spacingMs) {
    throw new Error('a fault must be injected before its phase ends (inject-after < spacing)');
  }
  return [
    { name: 'before the faults', durationMs: timing.beforeMs, injectAfterMs: 0 },
    ...faults.map((fault, index) => ({
      name: `${index + 1}: ${labelOf(fault)}`,
      durationMs: timing.spacingMs + (fault.kind === 'pause' ? timing.pauseMs : 0),
      fault,
      injectAfterMs: timing.injectAfterMs,
    })),
    { name: 'after the faults', durationMs: timing.afterMs, injectAfterMs: 0 },
  ];
}

/** One fault as injected. */
export interface FaultRecord {
  kind: FaultKind;
  target: string;
  label: string;
  /** Seconds since the measured load began (the plots' x axis). */
  atS: number;
  /** Seconds until the target was back: restarted and ready, continued, or listening again. */
  backAfterS: number | undefined;
  /** Seconds until the load was healthy again (see `withHealthyAfter`). */
  healthyAfterS?: number | undefined;
  /** Why the target did not come back (the run fails). */
  error?: string;
}

/** A service that ended without being told to (the supervisor started it again). */
export interface UnplannedExit {
  service: string;
  atS: number;
  /** Its exit code or the signal that ended it. */
  how: string;
  /** The last error it logged. */
  why?: string;
}

/** What a chaos run records beside the phases. */
export interface ChaosResult {
  faults: FaultRecord[];
  /** How many faults of each kind were injected. */
  counts: Partial<Record<FaultKind, number>>;
  unplannedExits: UnplannedExit[];
  timing: ChaosTiming & { restartDelayMs: number; settleSeconds: number };
  /** The p99 a healthy second stays within (see `healthyP99LimitMs`). */
  healthyP99LimitMs: number;
}

/**
 * The p99 a second may have and count as healthy: the target, or twice the p99 the run had
 * before the first fault when that is higher. A busy shared machine can miss the target without
 * any fault; "healthy again" then means back to what it was, not to what it never was.
 */
export function healthyP99LimitMs(p99TargetMs: number, beforeFaultsP99Ms: number): number {
  return Math.max(p99TargetMs, 2 * beforeFaultsP99Ms);
}

/** Faults injected per kind. */
export function countFaults(records: FaultRecord[]): Partial<Record<FaultKind, number>> {
  const counts: Partial<Record<FaultKind, number>> = {};
  for (const record of records) counts[record.kind] = (counts[record.kind] ?? 0) + 1;
  return counts;
}

/**
 * Each fault with the seconds from its injection until the first `settleSeconds` healthy
 * seconds in a row (p99 within the limit, no errors): how long the clients felt it.
 */
export function withHealthyAfter(
  records: FaultRecord[],
  seconds: SecondLatency[],
  p99LimitMs: number,
  settleSeconds: number,
): FaultRecord[] {
  return records.map((record) => {
    // Seconds are judged whole: the first one that can be healthy after the fault is the next.
    const fromS = Math.ceil(record.atS);
    const after = recoverySecondsOf(seconds, fromS, p99LimitMs, settleSeconds);
    return {
      ...record,
      healthyAfterS: after === undefined ? undefined : after + (fromS - record.atS),
    };
  });
}

/** Seconds with errors or a p99 over the limit, of all the seconds given. */
export function unhealthySeconds(seconds: SecondLatency[], p99LimitMs: number): number {
  return seconds.filter((second) => !isHealthySecond(second, p99LimitMs)).length;
}

/**
 * Why a service ended, from its output: the error Node printed when it died of an uncaught
 * exception or unhandled rejection (the last line naming an Error that is not a stack frame),
 * else the last error it logged (a JSON line at level error or fatal), else its last line.
 */
export function lastWords(output: string[]): string | undefined {
  const tail = output.slice(-40);
  const logged = (
    line: string,
  ): { level?: number; msg?: string; err?: { message?: string } } | undefined => {
    try {
      return JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    } catch {
      return undefined;
    }
  };
  const crash = [...tail]
    .reverse()
    .find((line) => logged(line) === undefined && /Error\b/.test(line) && !/^\s+at /.test(line));
  if (crash !== undefined) return crash.trim().slice(0, 300);
  for (const line of [...tail].reverse()) {
    const entry = logged(line);
    if (entry !== undefined && (entry.level ?? 0) >= 50) {
      return [entry.msg, entry.err?.message].filter(Boolean).join(': ').slice(0, 300);
    }
  }
  return tail.at(-1)?.slice(0, 300);
}
