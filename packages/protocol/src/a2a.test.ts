import { describe, expect, it } from 'vitest';
import { A2aTaskUpdateRpc, A2aTaskUpdateSchema } from './a2a.ts';
import { parseClientFrame } from './frames/parse-frame.ts';

// The A2A task update's precondition (`ifState`): what the agent may send, on the bus and as an
// `a2a.update` frame, and what the peer may answer.

const automatic = {
  taskId: 'task-1',
  updateId: 'm-1:working',
  status: { state: 'working' },
  ifState: 'submitted',
};

const frame = (fields: Record<string, unknown>) =>
  parseClientFrame(JSON.stringify({ v: 1, type: 'a2a.update', id: 'f1', ...fields }), [1]);

describe('A2aTaskUpdateSchema: ifState', () => {
  it('takes an update that applies only while its task is submitted, and one without', () => {
    expect(A2aTaskUpdateSchema.parse(automatic)).toEqual(automatic);
    const { ifState: _ifState, ...manual } = automatic;
    expect(A2aTaskUpdateSchema.parse(manual)).toEqual(manual);
  });

  it('refuses any other state as a precondition', () => {
    for (const ifState of ['working', 'input-required', 'TASK_STATE_SUBMITTED', '', null, true]) {
      expect(A2aTaskUpdateSchema.safeParse({ ...automatic, ifState }).success).toBe(false);
    }
  });

  it('still needs a status or an artifact beside it, and stays strict', () => {
    const { status: _status, ...bare } = automatic;
    expect(A2aTaskUpdateSchema.safeParse(bare).success).toBe(false);
    expect(A2aTaskUpdateSchema.safeParse({ ...automatic, onlyIf: 'submitted' }).success).toBe(
      false,
    );
  });
});

describe('the a2a.update frame: ifState', () => {
  it('reads the precondition off the socket', () => {
    expect(frame(automatic)).toEqual({
      ok: true,
      frame: { v: 1, type: 'a2a.update', id: 'f1', ...automatic },
    });
  });

  it('refuses another state with E_VALIDATION, naming the frame', () => {
    expect(frame({ ...automatic, ifState: 'working' })).toMatchObject({
      ok: false,
      re: 'f1',
      error: { code: 'E_VALIDATION' },
    });
  });
});

describe('A2aTaskUpdateRpc: the answer', () => {
  it('says skipped when the precondition no longer held, and only then', () => {
    const response = A2aTaskUpdateRpc.response;
    const skipped = { state: 'TASK_STATE_INPUT_REQUIRED', duplicate: false, skipped: true };
    expect(response.parse(skipped)).toEqual(skipped);
    expect(response.parse({ state: 'TASK_STATE_WORKING', duplicate: false })).toEqual({
      state: 'TASK_STATE_WORKING',
      duplicate: false,
    });
    expect(response.safeParse({ ...skipped, skipped: false }).success).toBe(false);
  });
});
