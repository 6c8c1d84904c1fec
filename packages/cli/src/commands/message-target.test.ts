import { describe, expect, it } from 'vitest';
import { describeTarget, parseTarget } from './message-target.ts';

describe('send targets', () => {
  it('reads each kind of target with the options that narrow it', () => {
    expect(parseTarget('agent:planner-1')).toEqual({ kind: 'agent', agentId: 'planner-1' });
    expect(parseTarget('agent:ns:agent')).toEqual({ kind: 'agent', agentId: 'ns:agent' });
    expect(parseTarget('topic:jobs.build')).toEqual({ kind: 'topic', topic: 'jobs.build' });
    expect(parseTarget('broadcast')).toEqual({ kind: 'broadcast' });
    expect(parseTarget('broadcast', { capability: 'plan', labels: { team: 'ops' } })).toEqual({
      kind: 'broadcast',
      capability: 'plan',
      labels: { team: 'ops' },
    });
    expect(
      parseTarget('anycast:plan', { labels: { zone: 'a' }, strategy: 'least_loaded' }),
    ).toEqual({
      kind: 'anycast',
      capability: 'plan',
      labels: { zone: 'a' },
      strategy: 'least_loaded',
    });
  });

  it('refuses an unknown or empty target, naming the forms it takes', () => {
    const forms = 'use agent:<id>, topic:<topic>, broadcast or anycast:<capability>';
    expect(() => parseTarget('planner-1')).toThrow(`unknown target planner-1: ${forms}`);
    expect(() => parseTarget('queue:jobs')).toThrow('unknown target queue:jobs');
    expect(() => parseTarget('broadcast:all')).toThrow('unknown target broadcast:all');
    expect(() => parseTarget('agent:')).toThrow('name the agent after agent:');
    expect(() => parseTarget('topic:')).toThrow('name the topic after topic:');
    expect(() => parseTarget('anycast:')).toThrow('name the capability after anycast:');
    expect(() => parseTarget('agent:')).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }));
  });

  it('refuses an option that does not fit the target instead of ignoring it', () => {
    expect(() => parseTarget('anycast:plan', { capability: 'x' })).toThrow(
      '--capability narrows a broadcast',
    );
    expect(() => parseTarget('agent:a', { capability: 'x' })).toThrow('--capability');
    expect(() => parseTarget('broadcast', { strategy: 'weighted' })).toThrow(
      '--strategy picks the recipient of an anycast',
    );
    expect(() => parseTarget('topic:jobs', { labels: { a: 'b' } })).toThrow(
      '--label narrows a broadcast or an anycast',
    );
  });

  it('describes a target the way send takes it', () => {
    expect(describeTarget({ kind: 'agent', agentId: 'a' })).toBe('agent:a');
    expect(describeTarget({ kind: 'topic', topic: 'jobs.x' })).toBe('topic:jobs.x');
    expect(describeTarget({ kind: 'broadcast' })).toBe('broadcast');
    expect(
      describeTarget({ kind: 'broadcast', capability: 'plan', labels: { team: 'ops', z: '1' } }),
    ).toBe('broadcast(capability=plan,team=ops,z=1)');
    expect(describeTarget({ kind: 'anycast', capability: 'plan' })).toBe('anycast:plan');
    expect(
      describeTarget({
        kind: 'anycast',
        capability: 'plan',
        strategy: 'weighted',
        labels: { a: 'b' },
      }),
    ).toBe('anycast:plan(strategy=weighted,a=b)');
  });
});
