import { PassThrough } from 'node:stream';
import { loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/logger';
import type { Service } from '@switchboard/service';
import type { TestContext } from '@switchboard/testing';
import { build } from '../app.ts';
import { gatewayConfig } from '../config.ts';

/**
 * Builds and starts a gateway in this process, in the test file's namespace and database, on a
 * free port, with silent logs; `env` adds `SB_*` settings. Stop it in `afterAll`.
 */
export async function startTestGateway(
  context: TestContext,
  gatewayId: string,
  env: Record<string, string> = {},
): Promise<{ service: Service; port: number }> {
  const config = await loadConfig(gatewayConfig, {
    env: { ...context.env, SB_GATEWAY__PORT: '0', ...env },
  });
  const log = createLogger({
    service: 'gateway',
    instanceId: gatewayId,
    level: 'silent',
    format: 'json',
    destination: new PassThrough(),
  });
  const service = build(config, log, gatewayId);
  return { service, port: (await service.start()).port };
}
