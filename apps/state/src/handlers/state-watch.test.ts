import { StateWatchRpc } from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, failure, type StateHarness } from '../test-state.ts';

let harness: StateHarness;

const watch = (scope: string, principal: string) =>
  harness.bus.request(
    harness.bus.subjects.rpc('state', StateWatchRpc.operation),
    StateWatchRpc,
    { scope },
    { principal },
  );

beforeAll(async () => {
  harness = await createStateHarness();
  await harness.start('state-a');
});
afterAll(async () => {
  await harness?.stop();
});

describe('state.watch', () => {
  it('lets an agent watch its own scope, and nobody else’s without a read grant', async () => {
    const agent = agentPrincipal('a1');
    expect(await watch('agent:a1', agent)).toEqual({ scope: 'agent:a1' });
    expect((await failure(watch('agent:a2', agent))).code).toBe('E_FORBIDDEN');
    expect((await failure(watch('team.alpha', agent))).code).toBe('E_FORBIDDEN');
  });

  it('lets a read grant (not only a write one) decide other scopes', async () => {
    const reader = keyPrincipal(
      'reader',
      [],
      [{ kind: 'state', scopes: ['team.>'], access: ['read'] }],
    );
    const writer = keyPrincipal(
      'writer',
      [],
      [{ kind: 'state', scopes: ['team.>'], access: ['write'] }],
    );
    expect(await watch('team.alpha', reader)).toEqual({ scope: 'team.alpha' });
    expect((await failure(watch('team.alpha', writer))).code).toBe('E_FORBIDDEN');
    expect(await watch('team.alpha', keyPrincipal('admin', ['admin']))).toEqual({
      scope: 'team.alpha',
    });
  });

  it('refuses a caller without a principal', async () => {
    expect((await failure(watch('agent:a1', ''))).code).toBe('E_UNAUTHORIZED');
  });
});
