import { PassThrough } from 'node:stream';
import type { Bus } from '@switchboard/bus';
import { loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/logger';
import { SbError } from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import { connectTestBus, createTestContext, type TestContext } from '@switchboard/testing';
import { build } from './app.ts';
import { stateConfig } from './config.ts';

/** A test file's world: its context, a client bus, and state replicas built in process. */
export interface StateHarness {
  context: TestContext;
  bus: Bus;
  /** The replicas started so far. */
  services: Service[];
  /** Builds and starts a replica with `env` on top of the context's. */
  start(instanceId: string, env?: Record<string, string>): Promise<Service>;
  stop(): Promise<void>;
}

/** Creates the harness; call `stop()` in `afterAll`. */
export async function createStateHarness(): Promise<StateHarness> {
  const context = await createTestContext();
  const bus = await connectTestBus(context.namespace, 10_000);
  const running: Service[] = [];
  return {
    context,
    bus,
    services: running,
    async start(instanceId, env = {}) {
      const config = await loadConfig(stateConfig, {
        env: { ...context.env, SB_STATE__PORT: '0', ...env },
      });
      const log = createLogger({
        service: 'state',
        instanceId,
        level: 'silent',
        format: 'json',
        destination: new PassThrough(),
      });
      const service = build(config, log, instanceId, context.connections);
      running.push(service);
      await service.start();
      return service;
    },
    async stop() {
      await Promise.all(running.map((service) => service.stop()));
      await bus.close();
      await context.cleanup();
    },
  };
}

/** The `SbError` a request fails with (the test fails when it succeeds or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<SbError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SbError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}
