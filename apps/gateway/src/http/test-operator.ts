import { mintApiKey } from '@switchboard/authz';
import { envNameOf } from '@switchboard/config';
import type { Service } from '@switchboard/service';
import { createTestContext, type TestContext } from '@switchboard/testing';
import type { LightMyRequestResponse } from 'fastify';
import { startTestGateway } from '../test/start-gateway.ts';
import type { EventStreamSettings } from './settings.ts';

/** A running gateway with the operator API, in its own namespace and database. */
export interface OperatorGateway {
  context: TestContext;
  service: Service;
  port: number;
  gatewayId: string;
  /** The bootstrap admin key's token. */
  adminToken: string;
  /** `inject()`s a request, with `token` as bearer credentials when given. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options?: { token?: string; body?: unknown },
  ): Promise<LightMyRequestResponse>;
  /** Starts another replica of the gateway in the same namespace. */
  startReplica(): Promise<{ service: Service; port: number; gatewayId: string }>;
  stop(): Promise<void>;
}

async function startOne(
  context: TestContext,
  bootstrapSha256: string,
  events: Partial<EventStreamSettings>,
  env: Record<string, string>,
) {
  const gatewayId = `gw-${Math.random().toString(16).slice(2, 10)}`;
  const started = await startTestGateway(context, gatewayId, {
    SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrapSha256,
    ...env,
    ...Object.fromEntries(
      Object.entries(events).map(([key, value]) => [
        envNameOf(['gateway', 'events', key]),
        String(value),
      ]),
    ),
  });
  return { ...started, gatewayId };
}

/** Starts a gateway with the operator API for one test file; `stop()` it in `afterAll`. */
export async function startOperatorGateway(
  events: Partial<EventStreamSettings> = {},
  env: Record<string, string> = {},
): Promise<OperatorGateway> {
  const context = await createTestContext();
  const bootstrap = mintApiKey();
  const first = await startOne(context, bootstrap.sha256, events, env);
  const replicas: Service[] = [first.service];
  return {
    context,
    ...first,
    adminToken: bootstrap.token,
    call: (method, url, options = {}) =>
      first.service.http.inject({
        method,
        url,
        headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      }),
    startReplica: async () => {
      const replica = await startOne(context, bootstrap.sha256, events, env);
      replicas.push(replica.service);
      return replica;
    },
    stop: async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await context.cleanup();
    },
  };
}
