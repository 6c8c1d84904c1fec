import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  GeneratorCommand,
  GeneratorPhase,
  GeneratorReply,
  GeneratorSetup,
} from './generator-protocol.ts';
import { addTally, emptyTally, type PhaseTally } from './latency.ts';
import { type ClientRecords, mergeRecords } from './records.ts';

const script = fileURLToPath(new URL('./generator-process.ts', import.meta.url));

/** The generator processes of a run, driven over IPC. */
export class GeneratorPool {
  private constructor(private readonly children: ChildProcess[]) {}

  /** Forks `count` generator processes (under tsx, like the services). */
  static start(count: number): GeneratorPool {
    return new GeneratorPool(
      Array.from({ length: count }, () =>
        fork(script, {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      ),
    );
  }

  /** Process ids, for CPU and memory readings. */
  get pids(): number[] {
    return this.children.map((child) => child.pid as number);
  }

  private ask<K extends GeneratorReply['kind']>(
    child: ChildProcess,
    command: GeneratorCommand,
    kind: K,
  ): Promise<Extract<GeneratorReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`a generator process exited (${code}) while asked to ${command.cmd}`));
      const onMessage = (message: GeneratorReply) => {
        if (message.kind !== kind && message.kind !== 'error') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (message.kind === 'error')
          reject(new Error(`a generator process failed: ${message.message}`));
        else resolve(message as Extract<GeneratorReply, { kind: K }>);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command, (error: Error | null) => {
        if (error !== null) reject(error);
      });
    });
  }

  /** Connects every process's agents; resolves with the number of agents connected. */
  async setUp(setup: (processIndex: number) => GeneratorSetup): Promise<number> {
    const replies = await Promise.all(
      this.children.map((child, index) => this.ask(child, setup(index), 'ready')),
    );
    return replies.reduce((sum, reply) => sum + reply.connected, 0);
  }

  /** Runs one phase in every process (each offering its share) and adds up what they measured. */
  async phase(phase: Omit<GeneratorPhase, 'cmd'>): Promise<PhaseTally> {
    const share = {
      ...phase,
      cmd: 'phase' as const,
      ratePerSecond: phase.ratePerSecond / this.children.length,
    };
    const replies = await Promise.all(
      this.children.map((child) => this.ask(child, share, 'phase')),
    );
    const tally = emptyTally();
    for (const reply of replies) addTally(tally, reply.tally);
    return tally;
  }

  /** Every process's client records, merged. */
  async records(): Promise<ClientRecords> {
    const replies = await Promise.all(
      this.children.map((child) => this.ask(child, { cmd: 'records' }, 'records')),
    );
    return mergeRecords(replies.map((reply) => reply.records));
  }

  private stopping: Promise<void> | undefined;

  /** Closes the agents and ends the processes (idempotent). */
  stop(): Promise<void> {
    this.stopping ??= Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            // A generator whose channel closed (a signal reached it too) only needs to exit.
            if (child.connected) child.send({ cmd: 'stop' }, () => undefined);
            else child.kill('SIGTERM');
          }),
      ),
    ).then(() => undefined);
    return this.stopping;
  }
}
