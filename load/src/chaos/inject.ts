import { once } from 'node:events';
import type { ServiceProcess } from '@switchboard/testing';
import type { LoadMesh } from '../mesh.ts';
import {
  type Fault,
  type FaultRecord,
  labelOf,
  lastWords,
  targetOf,
  type UnplannedExit,
} from './faults.ts';
import type { OwnInfra } from './own-infra.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the injector needs to know of the run. */
export interface InjectorOptions {
  pauseMs: number;
  /** How long the supervisor waits after a service ended before starting it again. */
  restartDelayMs: number;
  /** Seconds since the measured load began (the time of each record). */
  nowS: () => number;
  note: (message: string) => void;
}

/**
 * Injects the faults and plays the deployment's supervisor: a service that ends (killed by a
 * fault or on its own) is started again after `restartDelayMs` with the same environment and
 * port. Exits the injector did not cause are recorded as unplanned.
 */
export class FaultInjector {
  readonly unplannedExits: UnplannedExit[] = [];
  private readonly planned = new Set<string>();
  private readonly paused = new Set<ServiceProcess>();
  private readonly restarting = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly mesh: LoadMesh,
    private readonly infra: OwnInfra,
    private readonly options: InjectorOptions,
  ) {
    for (const name of Object.keys(mesh.services)) this.watch(name);
  }

  /** Restarts a service that ended on its own, as a supervisor would. */
  private watch(name: string): void {
    const service = this.mesh.services[name] as ServiceProcess;
    service.child.once('exit', (code, signal) => {
      if (this.stopped || this.planned.has(name)) return;
      const why = lastWords(service.output);
      this.unplannedExits.push({
        service: name,
        atS: this.options.nowS(),
        how: String(code ?? signal),
        ...(why === undefined ? {} : { why }),
      });
      this.options.note(`${name} exited by itself (${code ?? signal}: ${why}); restarting it`);
      const restart = this.restart(name).catch((error: unknown) =>
        this.options.note(`${name} did not start again: ${String(error)}`),
      );
      this.restarting.add(restart);
      void restart.finally(() => this.restarting.delete(restart));
    });
  }

  private async restart(name: string): Promise<void> {
    await sleep(this.options.restartDelayMs);
    if (this.stopped) return;
    await this.mesh.restart(name);
    this.watch(name);
  }

  private async kill(name: string): Promise<void> {
    const service = this.mesh.services[name] as ServiceProcess;
    this.planned.add(name);
    try {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        const exited = once(service.child, 'exit');
        service.child.kill('SIGKILL');
        await exited;
      }
      await this.restart(name);
    } finally {
      this.planned.delete(name);
    }
  }

  private async pause(name: string): Promise<void> {
    const service = this.mesh.services[name] as ServiceProcess;
    service.child.kill('SIGSTOP');
    this.paused.add(service);
    await sleep(this.options.pauseMs);
    service.child.kill('SIGCONT');
    this.paused.delete(service);
  }

  private async apply(fault: Fault): Promise<void> {
    switch (fault.kind) {
      case 'kill':
        await Promise.all(fault.services.map((name) => this.kill(name)));
        return;
      case 'pause':
        await this.pause(fault.services[0]);
        return;
      case 'redis-loss':
        await this.infra.loseRedis();
        return;
      case 'nats-restart':
        await this.infra.restartNats();
        return;
      case 'postgres-restart':
        await this.infra.restartPostgres(fault.mode);
        return;
    }
  }

  /** Injects a fault; resolves once its target is back (or failed to come back). */
  async inject(fault: Fault): Promise<FaultRecord> {
    const atS = this.options.nowS();
    const record: FaultRecord = {
      kind: fault.kind,
      target: targetOf(fault),
      label: labelOf(fault),
      atS,
      backAfterS: undefined,
    };
    this.options.note(`fault at ${atS.toFixed(1)} s: ${record.label}`);
    try {
      await this.apply(fault);
      record.backAfterS = this.options.nowS() - atS;
      this.options.note(`  ${record.target} back after ${record.backAfterS.toFixed(1)} s`);
    } catch (error) {
      record.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
      this.options.note(`  ${record.target} did not come back: ${record.error}`);
    }
    return record;
  }

  /** Continues any paused service (Ctrl-C during a pause: it must be able to stop). */
  release(): void {
    for (const service of this.paused) service.child.kill('SIGCONT');
    this.paused.clear();
  }

  /** Stops supervising (before the mesh stops) once restarts under way are done. */
  async stop(): Promise<void> {
    this.release();
    await Promise.all([...this.restarting]);
    this.stopped = true;
  }
}
