import { ToolsAuditRpc, ToolsFiguresRpc } from '@switchboard/protocol';
import { type AgentClient, SbError } from '@switchboard/sdk';
import { agentPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// Figures, health and the audit trail of calls made through the real mesh.

let mesh: ToolMesh;
let caller: AgentClient;

const auditEnv = {
  SB_TOOLS__AUDIT__FLUSH_INTERVAL_MS: '20',
  SB_TOOLS__AUDIT__FIGURES_CACHE_TTL_MS: '0',
};

beforeAll(async () => {
  mesh = await createToolMesh();
  await mesh.startGateway('gw-a');
  await mesh.startRegistry(auditEnv);
  const provider = await mesh.agent('gw-a', 'mon-provider');
  caller = await mesh.agent('gw-a', 'mon-caller');
  await provider.tools.provide(
    {
      name: 'mon.login',
      version: '1.0.0',
      inputSchema: {
        type: 'object',
        properties: {
          user: { type: 'string' },
          password: { type: 'string' },
          mode: { type: 'string' },
        },
        required: ['user'],
      },
    },
    (args, context) => {
      if (args.mode === 'fail') throw new SbError('E_UNAVAILABLE', 'the directory is down');
      if (args.mode === 'hang') {
        return new Promise((resolve) =>
          context.signal.addEventListener('abort', () => resolve(null)),
        );
      }
      return { ok: true };
    },
  );
  for (let index = 0; index < 3; index += 1) {
    await caller.tools.call('mon.login', { user: 'ada', password: 'hunter2' });
  }
  await expect(caller.tools.call('mon.login', { user: 'ada', mode: 'fail' })).rejects.toThrow();
  await expect(
    caller.tools.call('mon.login', { user: 'ada', mode: 'hang' }, { timeoutMs: 200 }),
  ).rejects.toThrow();
  await expect(caller.tools.call('mon.login', { password: 'x' })).rejects.toThrow();
  await waitFor(
    async () => (await mesh.call(ToolsAuditRpc, { name: 'mon.login' })).items.length === 6,
  );
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

describe('tool figures', () => {
  it('count calls, errors and timeouts, give latency percentiles, the last success and health', async () => {
    const { items } = await mesh.call(ToolsFiguresRpc, { name: 'mon.login' });
    expect(items).toHaveLength(1);
    const [figures] = items;
    // The refused call (bad arguments) never reached the tool: it is not counted against it.
    expect(figures).toMatchObject({ version: '1.0.0', calls: 5, errors: 1, timeouts: 1 });
    expect(figures?.p50Ms).toBeGreaterThan(0);
    expect(figures?.p99Ms).toBeGreaterThanOrEqual(figures?.p50Ms ?? 0);
    expect(figures?.lastSuccessAt).not.toBeNull();
    // Two failed of five recent calls: past the degraded ratio (0.1), below failing (0.5).
    expect(figures?.health).toBe('degraded');
  });
});

describe('the audit trail', () => {
  it('records who called what, how it ended and the arguments with secrets masked', async () => {
    const { items } = await mesh.call(ToolsAuditRpc, { name: 'mon.login' });
    expect(items.map((item) => item.outcome)).toEqual([
      'refused',
      'timeout',
      'error',
      'ok',
      'ok',
      'ok',
    ]);
    expect(items[2]).toMatchObject({
      caller: 'agent:mon-caller',
      provider: 'agent:mon-provider',
      version: '1.0.0',
      errorCode: 'E_UNAVAILABLE',
    });
    expect(items[3]?.arguments).toEqual({ user: 'ada', password: '[redacted]' });
    expect(items[0]).toMatchObject({
      outcome: 'refused',
      errorCode: 'E_VALIDATION',
      provider: null,
    });
  });

  it('filters and pages', async () => {
    const oks = await mesh.call(ToolsAuditRpc, { outcome: 'ok', limit: 2 });
    expect(oks.items).toHaveLength(2);
    const rest = await mesh.call(ToolsAuditRpc, {
      outcome: 'ok',
      limit: 2,
      cursor: oks.nextCursor as string,
    });
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
  });

  it('is for operators with tools:read only', async () => {
    await expect(mesh.call(ToolsAuditRpc, {}, agentPrincipal('mon-caller'))).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });

  it('lets retention delete old calls', async () => {
    await mesh.startRegistry({
      ...auditEnv,
      SB_TOOLS__AUDIT__RETENTION_MS: '1000',
      SB_TOOLS__AUDIT__SWEEP_INTERVAL_MS: '50',
    });
    await waitFor(async () => (await mesh.call(ToolsAuditRpc, {})).items.length === 0, {
      timeoutMs: 15_000,
    });
    // The totals outlive the trail.
    const { items } = await mesh.call(ToolsFiguresRpc, { name: 'mon.login' });
    expect(items[0]).toMatchObject({ calls: 5, health: 'unknown', p50Ms: null });
  });
});
