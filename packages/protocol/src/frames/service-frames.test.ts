import { describe, expect, it } from 'vitest';
import { clientFrameTypes } from './client-frames.ts';
import { parseClientFrame } from './parse-frame.ts';
import { ServerFrameSchema } from './server-frames.ts';

const parse = (value: unknown) => parseClientFrame(JSON.stringify(value), [1]);

describe('state and lifecycle frames', () => {
  it('are known client frame types', () => {
    expect(clientFrameTypes).toEqual(
      expect.arrayContaining([
        'state.get',
        'state.put',
        'state.patch',
        'state.delete',
        'state.history',
        'state.watch',
        'state.unwatch',
        'lifecycle.transition',
        'lifecycle.get',
      ]),
    );
  });

  it('leave the scope out so the gateway picks the agent’s own', () => {
    expect(parse({ v: 1, type: 'state.get', id: 'g1', key: 'profile' })).toEqual({
      ok: true,
      frame: { v: 1, type: 'state.get', id: 'g1', key: 'profile' },
    });
  });

  it('read a put with a scope, an expected version and a JSON document', () => {
    const frame = {
      v: 1,
      type: 'state.put',
      id: 'p1',
      scope: 'team.alpha',
      key: 'plan',
      expectedVersion: 3,
      document: { steps: [1, 2], done: false },
    };
    expect(parse(frame)).toEqual({ ok: true, frame });
  });

  it('read patch, delete and history frames', () => {
    const patch = { v: 1, type: 'state.patch', id: 'x', key: 'k', expectedVersion: 0, patch: {} };
    const del = { v: 1, type: 'state.delete', id: 'd', key: 'k', expectedVersion: 2 };
    const history = { v: 1, type: 'state.history', id: 'h', key: 'k', cursor: '7' };
    expect(parse(patch)).toEqual({ ok: true, frame: patch });
    expect(parse(del)).toEqual({ ok: true, frame: del });
    // No default limit here: the state service applies its own.
    expect(parse(history)).toEqual({ ok: true, frame: history });
  });

  it('refuse a bad scope, a delete at version 0 and an unknown field', () => {
    for (const frame of [
      { v: 1, type: 'state.get', id: 's', scope: 'team.*', key: 'k' },
      { v: 1, type: 'state.delete', id: 'd', key: 'k', expectedVersion: 0 },
      { v: 1, type: 'state.get', id: 'u', key: 'k', agentId: 'other' },
      { v: 1, type: 'state.history', id: 'l', key: 'k', limit: 501 },
    ]) {
      const parsed = parse(frame);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.code).toBe('E_VALIDATION');
    }
  });

  it('read lifecycle frames without an agent id (the gateway names the agent)', () => {
    const transition = { v: 1, type: 'lifecycle.transition', id: 't', to: 'idle', reason: 'ready' };
    expect(parse(transition)).toEqual({ ok: true, frame: transition });
    expect(parse({ v: 1, type: 'lifecycle.get', id: 'l' })).toEqual({
      ok: true,
      frame: { v: 1, type: 'lifecycle.get', id: 'l' },
    });
    expect(parse({ ...transition, agentId: 'someone-else' }).ok).toBe(false);
    expect(parse({ ...transition, to: 'asleep' }).ok).toBe(false);
  });

  it('read watch and unwatch frames with or without a scope, and refuse a wildcard scope', () => {
    const own = { v: 1, type: 'state.watch', id: 'w1' };
    const team = { v: 1, type: 'state.watch', id: 'w2', scope: 'team.alpha' };
    const unwatch = { v: 1, type: 'state.unwatch', id: 'u1', scope: 'team.alpha' };
    expect(parse(own)).toEqual({ ok: true, frame: own });
    expect(parse(team)).toEqual({ ok: true, frame: team });
    expect(parse(unwatch)).toEqual({ ok: true, frame: unwatch });
    expect(parse({ ...team, scope: 'team.>' }).ok).toBe(false);
    expect(parse({ ...unwatch, key: 'k' }).ok).toBe(false);
  });

  it('read a state.changed push carrying ids and versions only', () => {
    const frame = {
      v: 1,
      id: 'g1',
      type: 'state.changed',
      scope: 'agent:a1',
      key: 'k',
      version: 3,
      op: 'patch',
    };
    expect(ServerFrameSchema.parse(frame)).toEqual(frame);
    expect(ServerFrameSchema.safeParse({ ...frame, document: {} }).success).toBe(false);
    expect(ServerFrameSchema.safeParse({ ...frame, version: 0 }).success).toBe(false);
  });
});
