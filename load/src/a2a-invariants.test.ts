import { describe, expect, it } from 'vitest';
import { checkA2a } from './a2a-invariants.ts';

describe('checkA2a', () => {
  it('passes when every remote task completed and every inbound task completed', () => {
    expect(
      checkA2a(['m1'], {
        remoteTasks: [
          { id: 'm1', state: 'completed' },
          { id: 'm2', state: 'failed' },
        ],
        inboundTasks: [{ id: 't1', state: 'TASK_STATE_COMPLETED' }],
      }),
    ).toEqual([]);
  });

  it('names remote tasks left unfinished and round trips not stored completed', () => {
    const violations = checkA2a(['m1', 'm2', 'gone'], {
      remoteTasks: [
        { id: 'm1', state: 'working' },
        { id: 'm2', state: 'failed' },
      ],
      inboundTasks: [],
    });
    expect(violations).toEqual([
      { invariant: 'a remote A2A task was left working', count: 1, ids: ['m1'] },
      {
        invariant: 'a completed remote A2A round trip is stored working',
        count: 1,
        ids: ['m1'],
      },
      { invariant: 'a completed remote A2A round trip is stored failed', count: 1, ids: ['m2'] },
      { invariant: 'a completed remote A2A round trip is not stored', count: 1, ids: ['gone'] },
    ]);
  });

  it('lets an inbound task stay unfinished only when the send that opened it failed', () => {
    const violations = checkA2a(
      [],
      {
        remoteTasks: [],
        inboundTasks: [
          { id: 't1', state: 'TASK_STATE_SUBMITTED', messageId: 'failed-send' },
          { id: 't2', state: 'TASK_STATE_SUBMITTED', messageId: 'sent' },
          { id: 't3', state: 'TASK_STATE_SUBMITTED' },
          { id: 't4', state: 'TASK_STATE_COMPLETED', messageId: 'failed-too' },
        ],
      },
      ['failed-send', 'failed-too'],
    );
    expect(violations).toEqual([
      { invariant: 'an inbound A2A task ended TASK_STATE_SUBMITTED', count: 2, ids: ['t2', 't3'] },
    ]);
  });

  it('names inbound tasks that did not complete, at most ten ids each', () => {
    const inboundTasks = Array.from({ length: 12 }, (_, index) => ({
      id: `t${index}`,
      state: 'TASK_STATE_WORKING',
    }));
    const [violation] = checkA2a([], { remoteTasks: [], inboundTasks });
    expect(violation).toMatchObject({
      invariant: 'an inbound A2A task ended TASK_STATE_WORKING',
      count: 12,
    });
    expect(violation?.ids).toHaveLength(10);
  });
});
