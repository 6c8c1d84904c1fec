import { cpus, loadavg, totalmem } from 'node:os';
import type { OwnInfra } from './chaos/own-infra.ts';
import { runChaos } from './chaos/run-chaos.ts';
import { GeneratorPool } from './generator-pool.ts';
import { checkInvariants } from './invariants.ts';
import { keptLimits } from './kept-limits.ts';
import { judgeStep, kneesOf, type RampStep } from './knee.ts';
import { crashedServices, type LoadMesh, startMesh } from './mesh.ts';
import { Operations } from './operations.ts';
import { setLiveSettings } from './operator-api.ts';
import { isStress, type LoadOptions } from './options.ts';
import { cpuSeconds } from './processes.ts';
import { isHealthySecond, recoverySecondsOf } from './recovery.ts';
import { type RemoteEnds, startRemoteEnds } from './remote-ends.ts';
import { type PhaseResult, phaseResultOf, type RunResult } from './run-result.ts';
import { rampRates } from './schedule.ts';
import { runSoak } from './soak/run-soak.ts';
import { SOAK_RETENTION_ENV, soakAllowance } from './soak/soak-settings.ts';
import { StoredDataReader } from './stored-data.ts';

/** Progress for the person watching (stderr). */
export type Note = (message: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Generators start each phase together, a little after they are told to.
const PHASE_LEAD_MS = 500;

/** Samples memory of every service while the run goes on. */
function sampleMemory(mesh: LoadMesh, everyMs: number) {
  const samples: Array<{ atMs: number; mib: Record<string, number> }> = [];
  const take = () => samples.push({ atMs: Date.now(), mib: mesh.memoryMiB() });
  take();
  const timer = setInterval(take, everyMs);
  let stopped = false;
  return {
    samples,
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      take();
    },
  };
}

function toRampStep(phase: PhaseResult): RampStep {
  return {
    offeredPerSecond: phase.offeredPerSecond,
    allP99Ms: phase.allP99Ms,
    operations: Object.fromEntries(
      Object.entries(phase.operations).map(([name, figures]) => [
        name,
        {
          count: figures.ok,
          okPerSecond: figures.okPerSecond,
          errors: figures.failures,
          p50Ms: figures.p50Ms,
          p99Ms: figures.p99Ms,
        },
      ]),
    ),
  };
}

/**
 * Runs a scenario end to end: starts the mesh and the generators, offers the load, waits for
 * deliveries and tasks to settle, checks the invariants and returns the figures.
 */
export async function runScenario(
  options: LoadOptions,
  command: string,
  note: Note,
  /** Chaos: the private Postgres, Redis and NATS the mesh runs on (main.ts started them). */
  infra?: OwnInfra,
): Promise<RunResult> {
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  note(`starting the mesh (7 service processes, namespace of their own)`);
  const mesh = await startMesh({
    logLevel: options.logLevel,
    startTimeoutMs: options.startTimeoutMs,
    env: options.scenario === 'soak' ? SOAK_RETENTION_ENV : {},
  });
  const operatorUrl = mesh.gatewayUrls[0].replace(/^ws/, 'http');
  let remoteEnds: RemoteEnds;
  try {
    remoteEnds = await startRemoteEnds(operatorUrl, mesh.operatorKey);
  } catch (error) {
    await mesh.stop();
    throw error;
  }
  const pool = GeneratorPool.start(options.generators);
  const reader = new StoredDataReader(mesh.context.database.url);
  let measureOrigin = Date.now();
  const memory = sampleMemory(mesh, options.sampleMs);
  // Stopped from outside (Ctrl-C, CI's timeout): the services and generators go too.
  const onSignal = (signal: NodeJS.Signals) => {
    note(`${signal}: stopping the generators and the mesh`);
    void Promise.allSettled([pool.stop(), mesh.stop()]).finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const setUpStart = Date.now();
    const connected = await pool.setUp((processIndex) => ({
      cmd: 'setup',
      runId,
      processIndex,
      processCount: options.generators,
      agents: options.agents,
      gatewayUrls: mesh.gatewayUrls,
      mcpUrl: mesh.mcpUrl,
      a2aUrl: mesh.a2aUrl,
      apiKey: mesh.apiKey,
      payloadBytes: options.payloadBytes,
      requestTimeoutMs: options.requestTimeoutMs,
      connectConcurrency: options.connectConcurrency,
    }));
    note(
      `${connected} agents connected over 2 gateways in ${options.generators} generator processes (${Date.now() - setUpStart} ms)`,
    );
    if (options.keepRateLimits) {
      // The warm-up that follows gives every replica time to apply them.
      await setLiveSettings(
        operatorUrl,
        mesh.operatorKey,
        keptLimits(options.rate, options.parsedMix),
      );
      note('rate limits kept from now on, sized to the knee');
    }

    const offer = (ratePerSecond: number, durationMs: number) =>
      pool.phase({
        startAtMs: Date.now() + PHASE_LEAD_MS,
        ratePerSecond,
        durationMs,
        mix: options.parsedMix,
        maxInFlight: options.maxInFlight,
      });
    const firstRate =
      options.scenario === 'ramp'
        ? options.startRate
        : isStress(options.scenario) || options.scenario === 'soak'
          ? options.rate / 2
          : options.rate;
    if (options.warmupMs > 0) {
      note(`warm-up: ${firstRate}/s for ${options.warmupMs} ms (not measured)`);
      await offer(firstRate, options.warmupMs);
    }

    const processes = {
      ...mesh.pids(),
      ...Object.fromEntries(pool.pids.map((pid, index) => [`generator-${index}`, pid])),
    };
    const cpuBefore = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]),
    );
    measureOrigin = Date.now() + PHASE_LEAD_MS;
    const loadAtStart = loadavg()[0] ?? 0;
    const phases: PhaseResult[] = [];
    let baselineMiB: Record<string, number> = {};
    let recoveryFromS = 0;
    let idleGapSeconds = 0;
    let chaos: RunResult['chaos'];
    let soak: RunResult['soak'];
    const measure = async (name: string, rate: number, durationMs: number) => {
      const offsetS = (Date.now() + PHASE_LEAD_MS - measureOrigin) / 1000;
      const phase = phaseResultOf(
        name,
        rate,
        durationMs,
        await offer(rate, durationMs),
        Math.max(0, offsetS),
      );
      phases.push(phase);
      return phase;
    };
    const criteria = { p99TargetMs: options.p99TargetMs, minSamples: options.minSamples };
    if (options.scenario === 'ramp') {
      const step = async (rate: number, name: string) => {
        const phase = await measure(name, rate, options.stepDurationMs);
        phase.verdict = judgeStep(toRampStep(phase), criteria);
        const { allSlow, slow, failing } = phase.verdict;
        note(
          `step ${name}: p99 of all ${phase.allP99Ms.toFixed(0)} ms, ${phase.verdict.passed ? 'passed' : `gave (p99 over ${options.p99TargetMs} ms: ${allSlow ? 'all together' : slow.join(', ') || 'none'}; errors: ${failing.join(', ') || 'none'})`}`,
        );
        return phase;
      };
      for (const rate of rampRates(options.startRate, options.stepFactor, options.maxRate)) {
        const phase = await step(rate, `${rate}/s`);
        if (phase.verdict?.passed) continue;
        if (options.stepRetries === 0) break;
        // A stall of the machine (another process, a checkpoint) can fail one step: the knee is
        // where the failure repeats at the same rate.
        let again = phase;
        for (let retry = 1; retry <= options.stepRetries && !again.verdict?.passed; retry += 1) {
          again = await step(rate, `${rate}/s (again ${retry})`);
        }
        if (!again.verdict?.passed) break;
        for (const failed of phases)
          if (failed.offeredPerSecond === rate && failed !== again) failed.retried = true;
      }
    } else if (isStress(options.scenario)) {
      const half = options.rate / 2;
      await measure(`baseline ${half}/s`, half, options.baselineMs);
      baselineMiB = mesh.memoryMiB();
      note(`baseline at half the knee (${half}/s) measured`);
      const overload = await measure(
        `overload ${2 * options.rate}/s`,
        2 * options.rate,
        options.overloadMs,
      );
      note(`overload at twice the knee (${2 * options.rate}/s) measured`);
      const recovery = await measure(`recovery ${half}/s`, half, options.recoveryMs);
      // Recovery counts from the overload's last arrival: the generators wait for its
      // operations still in flight before the next phase, and that wait is part of recovering.
      recoveryFromS = (overload.seconds[0]?.atS ?? 0) + options.overloadMs / 1000;
      idleGapSeconds = (recovery.seconds[0]?.atS ?? 0) - recoveryFromS;
      note('recovery at half the knee measured');
    } else if (options.scenario === 'soak') {
      soak = await runSoak({ mesh, options, measure, originMs: () => measureOrigin, note });
    } else if (infra !== undefined) {
      chaos = await runChaos({
        mesh,
        infra,
        options,
        measure,
        phaseLeadMs: PHASE_LEAD_MS,
        nowS: () => (Date.now() - measureOrigin) / 1000,
        note,
      });
    } else {
      await measure(`${options.rate}/s`, options.rate, options.durationMs);
      note(`measured ${options.rate}/s for ${options.durationMs} ms`);
    }
    const measuredSeconds = (Date.now() - measureOrigin) / 1000;
    const loadAtEnd = loadavg()[0] ?? 0;
    const pidsNow: Record<string, number | undefined> = { ...processes, ...mesh.pids() };
    const cpuUsed = Object.fromEntries(
      Object.entries(pidsNow).map(([name, pid]) => [
        name,
        // A service the chaos scenario restarted is a new process: only its own CPU counts.
        cpuSeconds(pid) - (pid === processes[name] ? (cpuBefore[name] ?? 0) : 0),
      ]),
    );

    note('waiting for deliveries and tasks to settle');
    const drainStart = Date.now();
    let left = await reader.pending();
    while (
      (left.deliveries > 0 || left.tasks > 0) &&
      Date.now() - drainStart < options.drainTimeoutMs
    ) {
      await sleep(500);
      left = await reader.pending();
    }
    memory.stop();
    const records = await pool.records();
    const stored = await reader.read(runId);
    const violations = checkInvariants(
      records,
      stored,
      options.agents,
      soak === undefined ? {} : soakAllowance(Date.now()),
    );
    const crashed = crashedServices(mesh);
    const unexercised = Operations.filter(
      (name) =>
        options.parsedMix[name] > 0 &&
        phases.every((phase) => (phase.operations[name]?.ok ?? 0) === 0),
    );
    const memorySamples = memory.samples.map((sample) => ({
      atS: (sample.atMs - measureOrigin) / 1000,
      mib: sample.mib,
    }));
    const stress = isStress(options.scenario)
      ? {
          kneePerSecond: options.rate,
          recoverySeconds: recoverySecondsOf(
            phases.flatMap((phase) => phase.seconds),
            recoveryFromS,
            options.p99TargetMs,
            options.settleSeconds,
          ),
          settleSeconds: options.settleSeconds,
          idleGapSeconds,
          secondsOverLimit: phases.map((phase) => ({
            phase: phase.name,
            over: phase.seconds.filter((second) => !isHealthySecond(second, options.p99TargetMs))
              .length,
            of: phase.seconds.length,
          })),
          baselineMiB,
          peakMiB: Object.fromEntries(
            Object.keys(baselineMiB).map((name) => [
              name,
              Math.max(...memorySamples.map((sample) => sample.mib[name] ?? 0)),
            ]),
          ),
        }
      : undefined;
    const knees =
      options.scenario === 'ramp'
        ? kneesOf(phases.filter((phase) => phase.retried !== true).map(toRampStep), criteria)
        : undefined;
    return {
      runId,
      scenario: options.scenario,
      command,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage: [loadAtStart, loadAtEnd],
      },
      settings: {
        agents: options.agents,
        generators: options.generators,
        mix: options.parsedMix,
        payloadBytes: options.payloadBytes,
        ...(options.scenario === 'ramp'
          ? {
              startRate: options.startRate,
              stepFactor: options.stepFactor,
              stepDurationMs: options.stepDurationMs,
              p99TargetMs: options.p99TargetMs,
              minSamples: options.minSamples,
              stepRetries: options.stepRetries,
            }
          : isStress(options.scenario)
            ? {
                knee: options.rate,
                baselineMs: options.baselineMs,
                overloadMs: options.overloadMs,
                recoveryMs: options.recoveryMs,
                settleSeconds: options.settleSeconds,
                p99TargetMs: options.p99TargetMs,
              }
            : chaos !== undefined
              ? { rate: options.rate, faults: options.faults, ...chaos.timing }
              : { rate: options.rate, durationMs: options.durationMs }),
        warmupMs: options.warmupMs,
        rateLimits: options.keepRateLimits ? keptLimits(options.rate, options.parsedMix) : 'lifted',
      },
      connectedAgents: connected,
      phases,
      knees,
      stress,
      chaos,
      soak,
      p99TargetMs: options.p99TargetMs,
      memory: memorySamples,
      cpuSeconds: cpuUsed,
      measuredSeconds,
      drain: {
        waitedMs: Date.now() - drainStart,
        deliveriesLeft: left.deliveries,
        tasksLeft: left.tasks,
      },
      counts: {
        messagesAccepted: records.sent.length,
        deliveries: stored.deliveries.length,
        deadLetters: stored.deadLetters.length,
        tasksSubmitted: records.submittedTasks.length,
        stateWritesAcknowledged: records.stateAcks.length,
      },
      violations,
      crashed,
      unexercised,
      // A smoke that never ran an operation proved nothing about it.
      passed:
        violations.length === 0 &&
        crashed.length === 0 &&
        (!options.scenario.endsWith('smoke') || unexercised.length === 0) &&
        (chaos === undefined || chaos.faults.every((fault) => fault.error === undefined)) &&
        (soak === undefined || soak.passed) &&
        (stress === undefined || stress.recoverySeconds !== undefined),
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    memory.stop();
    await pool.stop();
    await reader.close();
    await remoteEnds.close();
    await mesh.stop();
  }
}
