import { encodePrincipal } from '@switchboard/authz';
import {
  ConfigGetRpc,
  ConfigSetRpc,
  ConfigUnsetRpc,
  SbError,
  type ServiceShortName,
  serviceShortNames,
} from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { principalOf, type RouteContext, type ZodScope } from '../route-context.ts';

const serviceParam = z
  .string()
  .min(1)
  .max(32)
  .describe(`A service short name: ${serviceShortNames.join(', ')}`);
const keyParam = z
  .string()
  .min(1)
  .max(256)
  .describe('A setting key as `config.get` lists it (`gateway.connections.maxBadFrames`)');

/** The short name in the path; an unknown one is `E_NOT_FOUND` (no such resource). */
function shortNameOf(service: string): ServiceShortName {
  if ((serviceShortNames as string[]).includes(service)) return service as ServiceShortName;
  throw new SbError(
    'E_NOT_FOUND',
    `no service ${service}; services are ${serviceShortNames.join(', ')}`,
  );
}

/** What the owning service's RPC needs besides the payload: the caller, for its own checks. */
function callOptions(request: FastifyRequest) {
  return { principal: encodePrincipal(principalOf(request)) };
}

/**
 * `/v1/config/:service`: each service's settings with their values and sources, and its live
 * overrides, through that service's own `config.get | set | unset` RPCs (it validates them).
 */
export function registerConfigRoutes(scope: ZodScope, context: RouteContext): void {
  const readSettings = async (request: FastifyRequest, service: string, key?: string) => {
    const { bus } = context.runtime();
    return bus.request(
      bus.subjects.rpc(shortNameOf(service), ConfigGetRpc.operation),
      ConfigGetRpc,
      key === undefined ? {} : { key },
      callOptions(request),
    );
  };

  scope.get(
    '/config/:service',
    {
      config: { operatorScope: 'config:read' },
      schema: {
        tags: ['config'],
        summary: "A service's settings: value, source, live or restart-only",
        description: 'Secrets come redacted. One replica of the service answers.',
        params: z.strictObject({ service: serviceParam }),
        response: { 200: ConfigGetRpc.response, ...problemResponses },
      },
    },
    async (request) => readSettings(request, request.params.service),
  );

  scope.get(
    '/config/:service/:key',
    {
      config: { operatorScope: 'config:read' },
      schema: {
        tags: ['config'],
        summary: "A service's settings at or under a key",
        description: 'An unknown key is `E_NOT_FOUND`, naming the keys that exist.',
        params: z.strictObject({ service: serviceParam, key: keyParam }),
        response: { 200: ConfigGetRpc.response, ...problemResponses },
      },
    },
    async (request) => readSettings(request, request.params.service, request.params.key),
  );

  scope.put(
    '/config/:service/:key',
    {
      config: { operatorScope: 'config:write' },
      schema: {
        tags: ['config'],
        summary: 'Set a live override',
        description:
          'The service validates the value against its schema (an invalid one is refused with the reason) and every replica applies it; it survives restarts. `restartRequired` is true for a restart-only setting.',
        params: z.strictObject({ service: serviceParam, key: keyParam }),
        body: z.strictObject({
          value: z
            .unknown()
            .refine((value) => value !== undefined, 'give a value (DELETE removes an override)')
            .describe('The new value, as JSON'),
        }),
        response: { 200: ConfigSetRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      const service = shortNameOf(request.params.service);
      return bus.request(
        bus.subjects.rpc(service, ConfigSetRpc.operation),
        ConfigSetRpc,
        { key: request.params.key, value: request.body.value },
        callOptions(request),
      );
    },
  );

  scope.delete(
    '/config/:service/:key',
    {
      config: { operatorScope: 'config:write' },
      schema: {
        tags: ['config'],
        summary: 'Remove a live override',
        description:
          'The setting falls back to the file, env or default. `removed` says whether an override was in effect.',
        params: z.strictObject({ service: serviceParam, key: keyParam }),
        response: { 200: ConfigUnsetRpc.response, ...problemResponses },
      },
    },
    async (request) => {
      const { bus } = context.runtime();
      const service = shortNameOf(request.params.service);
      return bus.request(
        bus.subjects.rpc(service, ConfigUnsetRpc.operation),
        ConfigUnsetRpc,
        { key: request.params.key },
        callOptions(request),
      );
    },
  );
}
