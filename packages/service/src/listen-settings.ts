import { type ServiceShortName, Services } from '@switchboard/protocol';
import { z } from 'zod';

/**
 * Where a service's HTTP server listens (`SB_<SHORT>__HOST`, `SB_<SHORT>__PORT`): every
 * service section starts with these. Loopback by default; deployments set `0.0.0.0`.
 */
export function listenSettings(service: ServiceShortName) {
  return {
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Address the HTTP server (probes, metrics, endpoints) binds; 0.0.0.0 in containers',
      ),
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(Services[service].port)
      .describe('Port of the HTTP server; 0 picks a free one'),
  };
}
