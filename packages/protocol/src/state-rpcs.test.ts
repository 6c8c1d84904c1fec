import { describe, expect, it } from 'vitest';
import { AgentLifecycleEventSchema, StateChangedEventSchema } from './events/state-events.ts';
import { ResumeFrameSchema } from './frames/server-frames.ts';
import {
  agentScope,
  StateHistoryRpc,
  StateKeySchema,
  StatePutRpc,
  StateScopeSchema,
  StateSummaryRpc,
  StateWatchRpc,
} from './state-rpcs.ts';

describe('state RPC schemas', () => {
  it('names an agent scope after the agent, and accepts it as a scope', () => {
    expect(agentScope('a.1')).toBe('agent:a.1');
    expect(StateScopeSchema.parse(agentScope('a.1'))).toBe('agent:a.1');
  });

  it('refuses scopes with wildcards, empty tokens or whitespace', () => {
    for (const scope of ['team.*', 'team.>', 'team..a', '', 'a b', '.a']) {
      expect(StateScopeSchema.safeParse(scope).success).toBe(false);
    }
    expect(StateKeySchema.safeParse('notes/2026-11').success).toBe(true);
    expect(StateKeySchema.safeParse('a b').success).toBe(false);
  });

  it('takes any JSON document and a non-negative expected version', () => {
    const put = { scope: 'team.a', key: 'k', expectedVersion: 0, document: [1, { a: null }] };
    expect(StatePutRpc.request.parse(put)).toEqual(put);
    expect(StatePutRpc.request.safeParse({ ...put, expectedVersion: -1 }).success).toBe(false);
  });

  it('defaults a history page to 50 and takes numeric cursors only', () => {
    expect(StateHistoryRpc.request.parse({ scope: 's', key: 'k' }).limit).toBe(50);
    expect(StateHistoryRpc.request.safeParse({ scope: 's', key: 'k', cursor: 'x' }).success).toBe(
      false,
    );
  });

  it('keeps documents out of events', () => {
    const changed = { scope: 's', key: 'k', version: 1, op: 'put', document: {} };
    expect(StateChangedEventSchema.safeParse(changed).success).toBe(false);
    expect(
      AgentLifecycleEventSchema.parse({
        agentId: 'a1',
        from: 'idle',
        to: 'busy',
        version: 2,
        reason: null,
      }).to,
    ).toBe('busy');
  });

  it('asks to watch exactly one concrete scope', () => {
    expect(StateWatchRpc.operation).toBe('watch');
    expect(StateWatchRpc.request.parse({ scope: 'team.a' })).toEqual({ scope: 'team.a' });
    expect(StateWatchRpc.request.safeParse({ scope: 'team.*' }).success).toBe(false);
    expect(StateWatchRpc.request.safeParse({}).success).toBe(false);
  });

  it('lists at most 1000 keys of a summary, 100 unless asked', () => {
    expect(StateSummaryRpc.operation).toBe('summary');
    expect(StateSummaryRpc.request.parse({ scope: 'team.a' })).toEqual({
      scope: 'team.a',
      limit: 100,
    });
    expect(StateSummaryRpc.request.safeParse({ scope: 'team.a', limit: 1001 }).success).toBe(false);
    expect(StateSummaryRpc.request.safeParse({ scope: 'team.a', limit: 0 }).success).toBe(false);
  });

  it('resumes with versions only, never documents', () => {
    const resume = {
      v: 1,
      id: 'g1',
      type: 'resume',
      status: { agentId: 'a1', status: 'idle', version: 3, updatedAt: '2026-01-01T00:00:00.000Z' },
      state: {
        scope: 'agent:a1',
        items: [{ key: 'plan', version: 2, updatedAt: '2026-01-01T00:00:00.000Z' }],
        truncated: false,
      },
    };
    expect(ResumeFrameSchema.parse(resume)).toEqual(resume);
    const withDocument = {
      ...resume,
      state: { ...resume.state, items: [{ ...resume.state.items[0], document: {} }] },
    };
    expect(ResumeFrameSchema.safeParse(withDocument).success).toBe(false);
  });
});
