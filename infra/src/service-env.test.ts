import { describe, expect, it } from 'vitest';
import { checkServiceEnv, ignoredVariables } from './service-env.ts';
import { deployedServices } from './services.ts';

const router = deployedServices.find((service) => service.short === 'router');
if (router === undefined) throw new Error('the router is one of the services');

describe('checkServiceEnv', () => {
  it('loads the config a service would run with', async () => {
    const check = await checkServiceEnv(router, {
      SB_ROUTER__HOST: '0.0.0.0',
      SB_SHUTDOWN_TIMEOUT_MS: '20000',
      SB_NATS__SERVERS: 'nats://nats:4222',
    });
    expect(check).toMatchObject({
      ok: true,
      config: {
        router: { host: '0.0.0.0', port: 7701 },
        shutdownTimeoutMs: 20_000,
        nats: { servers: ['nats://nats:4222'] },
      },
    });
  });

  it('names a variable the service would ignore: another service or a misspelt section', async () => {
    const check = await checkServiceEnv(router, {
      SB_STATE__HOST: '0.0.0.0',
      SB_NAT__SERVERS: 'nats://nats:4222',
      SB_ROUTER__HOST: '0.0.0.0',
    });
    expect(check).toEqual({
      ok: false,
      problems: [
        'SB_STATE__HOST: message-router ignores it (not a shared setting nor one of its own)',
        'SB_NAT__SERVERS: message-router ignores it (not a shared setting nor one of its own)',
      ],
    });
  });

  it('reports a key its schema refuses, and a bad value, with the variable', async () => {
    const check = await checkServiceEnv(router, {
      SB_ROUTER__HOTS: '0.0.0.0',
      SB_NATS__USER: 'router',
    });
    expect(check.ok).toBe(false);
    const [message] = check.ok ? [] : check.problems;
    expect(message).toContain('router.hots');
    expect(message).toContain('SB_ROUTER__HOTS');
    expect(message).toContain('nats.pass');
  });

  it('keeps both kinds of problem when a variable is ignored and another is invalid', async () => {
    const check = await checkServiceEnv(router, { SB_TASKS__PORT: '1', SB_ROUTER__PORT: 'x' });
    expect(check.ok ? [] : check.problems).toEqual([
      expect.stringContaining('SB_TASKS__PORT'),
      expect.stringContaining('router.port'),
    ]);
  });
});

describe('ignoredVariables', () => {
  it('leaves alone variables that are not Switchboard settings', () => {
    expect(ignoredVariables(router, ['PATH', 'NODE_OPTIONS', 'SB_LOG__LEVEL'])).toEqual([]);
  });
});
