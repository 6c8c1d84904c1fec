import { describe, expect, it } from 'vitest';
import { checkInvariants, type StoredData } from './invariants.ts';
import { type ClientRecords, emptyRecords } from './records.ts';
import { uuidV7TimeMs } from './uuid-v7.ts';

// Four agents: topics hold every agent (one topic), agents 0 and 3 subscribe with the filter.
const AGENTS = 4;

function cleanRun(): { records: ClientRecords; stored: StoredData } {
  const records: ClientRecords = {
    ...emptyRecords(),
    sent: [
      { id: 'm-direct', kind: 'direct', senderIndex: 0, toIndex: 1 },
      { id: 'm-request', kind: 'request', senderIndex: 2, toIndex: 3 },
      { id: 'm-topic-drop', kind: 'topic', senderIndex: 1, topic: 0, keep: false },
      { id: 'm-broadcast', kind: 'broadcast', senderIndex: 3 },
    ],
    sightings: [
      [1, 'm-direct', 1],
      [3, 'm-request', 1],
      [1, 'm-topic-drop', 1],
      [2, 'm-topic-drop', 1],
      [0, 'm-broadcast', 1],
      [1, 'm-broadcast', 1],
      [2, 'm-broadcast', 1],
    ],
    submittedTasks: ['t1', 't2'],
    taskRuns: [['t1', 1]],
    stateAcks: [
      { scope: 'agent:a', key: 'hot', version: 1, writeId: 'w1' },
      { scope: 'agent:a', key: 'hot', version: 2, writeId: 'w2' },
    ],
  };
  const delivery = (messageId: string, agentIndex: number, status = 'acked') => ({
    messageId,
    agentIndex,
    status,
  });
  const stored: StoredData = {
    messageIds: new Set(['m-direct', 'm-request', 'm-topic-drop', 'm-broadcast', 'm-reply']),
    deliveries: [
      delivery('m-direct', 1),
      delivery('m-request', 3),
      delivery('m-reply', 2),
      delivery('m-topic-drop', 1),
      delivery('m-topic-drop', 2),
      delivery('m-broadcast', 0),
      delivery('m-broadcast', 1),
      delivery('m-broadcast', 2),
    ],
    deadLetters: [],
    tasks: [
      { id: 't1', status: 'succeeded', successes: 1 },
      { id: 't2', status: 'failed', successes: 0 },
    ],
    stateVersions: [
      { scope: 'agent:a', key: 'hot', version: 1, writeId: 'w1' },
      { scope: 'agent:a', key: 'hot', version: 2, writeId: 'w2' },
      { scope: 'agent:a', key: 'hot', version: 3, writeId: 'w3' },
    ],
    a2a: { remoteTasks: [], inboundTasks: [] },
  };
  return { records, stored };
}

const invariantsOf = (records: ClientRecords, stored: StoredData) =>
  checkInvariants(records, stored, AGENTS).map((violation) => [violation.invariant, violation.ids]);

describe('checkInvariants', () => {
  it('adds the A2A peer’s records to the findings', () => {
    const { records, stored } = cleanRun();
    records.remoteSends.push('r1');
    stored.a2a.remoteTasks.push({ id: 'r1', state: 'pending' });
    expect(invariantsOf(records, stored)).toEqual([
      ['a remote A2A task was left pending', ['r1']],
      ['a completed remote A2A round trip is stored pending', ['r1']],
    ]);
  });

  it('finds nothing wrong with a run that kept every promise', () => {
    const { records, stored } = cleanRun();
    expect(checkInvariants(records, stored, AGENTS)).toEqual([]);
  });

  it('names an accepted message the router does not hold', () => {
    const { records, stored } = cleanRun();
    stored.messageIds.delete('m-direct');
    expect(invariantsOf(records, stored)).toEqual([
      ['an accepted message is not stored', ['m-direct']],
    ]);
  });

  it('names a topic subscriber whose filter matched but got no delivery', () => {
    const { records, stored } = cleanRun();
    records.sent.push({ id: 'm-keep', kind: 'topic', senderIndex: 1, topic: 0, keep: true });
    stored.messageIds.add('m-keep');
    for (const index of [0, 1, 2]) {
      stored.deliveries.push({ messageId: 'm-keep', agentIndex: index, status: 'acked' });
      records.sightings.push([index, 'm-keep', 1]);
    }
    expect(invariantsOf(records, stored)).toEqual([['a recipient got no delivery', ['m-keep@3']]]);
  });

  it('names the recipient of a stored message the router made no delivery of', () => {
    const { records, stored } = cleanRun();
    stored.deliveries = stored.deliveries.filter((delivery) => delivery.messageId !== 'm-direct');
    records.sightings = records.sightings.filter(([, id]) => id !== 'm-direct');
    expect(invariantsOf(records, stored)).toEqual([
      ['a recipient got no delivery', ['m-direct@1']],
    ]);
  });

  it('names a delivery to an agent the message was not for, and one handled twice', () => {
    const { records, stored } = cleanRun();
    stored.deliveries.push({ messageId: 'm-direct', agentIndex: 2, status: 'acked' });
    records.sightings.push([2, 'm-direct', 2]);
    expect(invariantsOf(records, stored)).toEqual([
      ['delivered to a non-recipient', ['m-direct@2']],
      ['handled more than once', ['m-direct@2']],
    ]);
  });

  it('names a delivery acked without its handler having seen it', () => {
    const { records, stored } = cleanRun();
    records.sightings = records.sightings.filter(([, id]) => id !== 'm-request');
    expect(invariantsOf(records, stored)).toEqual([['acked but never handled', ['m-request@3']]]);
  });

  it('names deliveries left queued, and accepts expired ones only when the sender gave up', () => {
    const { records, stored } = cleanRun();
    stored.deliveries.push(
      { messageId: 'm-timed-out-request', agentIndex: 1, status: 'expired' },
      { messageId: 'm-reply', agentIndex: 0, status: 'queued' },
    );
    const direct = stored.deliveries.find((delivery) => delivery.messageId === 'm-direct');
    if (direct !== undefined) direct.status = 'expired';
    records.sightings = records.sightings.filter(([, id]) => id !== 'm-direct');
    expect(invariantsOf(records, stored)).toEqual([
      ['a delivery was left expired', ['m-direct@1']],
      ['a delivery was left queued', ['m-reply@0']],
    ]);
  });

  it('accepts an expired delivery its recipient handled (an ack later than the TTL)', () => {
    const { records, stored } = cleanRun();
    const request = stored.deliveries.find((delivery) => delivery.messageId === 'm-request');
    if (request !== undefined) request.status = 'expired';
    expect(invariantsOf(records, stored)).toEqual([]);
  });

  it('accepts a dead letter with its cause and names one without', () => {
    const { records, stored } = cleanRun();
    stored.deliveries.push(
      { messageId: 'm-reply', agentIndex: 0, status: 'dead' },
      { messageId: 'm-reply', agentIndex: 1, status: 'dead' },
      { messageId: 'm-reply', agentIndex: 3, status: 'dead' },
    );
    stored.deadLetters.push(
      { messageId: 'm-reply', agentIndex: 0, reason: 'max_attempts', lastError: { code: 'E' } },
      { messageId: 'm-reply', agentIndex: 1, reason: ' ', lastError: { code: 'E' } },
      { messageId: 'm-reply', agentIndex: 3, reason: 'max_attempts', lastError: null },
    );
    expect(invariantsOf(records, stored)).toEqual([
      ['a dead letter without a cause', ['m-reply@1', 'm-reply@3']],
    ]);
  });

  it('names tasks missing, not final, succeeded twice, without a transition or never run', () => {
    const { records, stored } = cleanRun();
    records.submittedTasks.push('t-missing', 't-running');
    records.taskRuns.push(['t-twice', 1], ['t-twice', 1], ['t-silent', 1]);
    stored.tasks.push(
      { id: 't-running', status: 'running', successes: 0 },
      { id: 't-twice', status: 'succeeded', successes: 2 },
      { id: 't-silent', status: 'succeeded', successes: 0 },
      { id: 't-unrun', status: 'succeeded', successes: 1 },
    );
    expect(invariantsOf(records, stored)).toEqual([
      ['a submitted task is not stored', ['t-missing']],
      ['a task was left running', ['t-running']],
      ['a task succeeded more than once', ['t-twice']],
      ['a task succeeded without a transition', ['t-silent']],
      ['a task succeeded that no executor ran', ['t-unrun']],
    ]);
  });

  it('names a gap in the versions and an acknowledged write the history does not hold', () => {
    const { records, stored } = cleanRun();
    stored.stateVersions = stored.stateVersions.filter((version) => version.version !== 2);
    stored.stateVersions.push({ scope: 'agent:b', key: 'hot', version: 1, writeId: 'other' });
    records.stateAcks.push({ scope: 'agent:b', key: 'hot', version: 1, writeId: 'mine' });
    expect(invariantsOf(records, stored)).toEqual([
      ['state versions are not 1, 2, 3, ...', ['agent:a/hot@3']],
      ['an acknowledged state write is lost', ['agent:a/hot@2', 'agent:b/hot@1']],
    ]);
  });

  it('checks a message retention deleted by its recipients’ handlers alone', () => {
    const { records, stored } = cleanRun();
    // UUIDv7 ids made at 0x0190a1b2c3d4 ms: before the allowance's cutoff, so retention took them.
    const retired = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';
    const twice = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6c';
    const fresh = 'ffffa1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6d';
    records.sent.push(
      { id: retired, kind: 'direct', senderIndex: 0, toIndex: 1 },
      { id: twice, kind: 'direct', senderIndex: 0, toIndex: 2 },
      { id: fresh, kind: 'direct', senderIndex: 0, toIndex: 3 },
    );
    records.sightings.push([2, twice, 2], [3, fresh, 1]);
    const allowance = { retiredBeforeMs: 0x0190a1b2c3d5 };
    expect(
      checkInvariants(records, stored, AGENTS, allowance).map((violation) => [
        violation.invariant,
        violation.ids,
      ]),
    ).toEqual([
      ['a recipient never handled a retired message', [`${retired}@1`]],
      ['handled more than once', [`${twice}@2`]],
      ['an accepted message is not stored', [fresh]],
    ]);
  });

  it('lets retention have removed old tasks and remote A2A round trips, never newer ones', () => {
    const { records, stored } = cleanRun();
    const old = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';
    const fresh = 'ffffa1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6d';
    records.submittedTasks.push(old, fresh);
    records.remoteSends.push(old, fresh);
    const allowance = { retiredBeforeMs: 0x0190a1b2c3d5 };
    expect(
      checkInvariants(records, stored, AGENTS, allowance).map((violation) => [
        violation.invariant,
        violation.ids,
      ]),
    ).toEqual([
      ['a submitted task is not stored', [fresh]],
      ['a completed remote A2A round trip is not stored', [fresh]],
    ]);
    // Without the allowance (runs with default retention) both old ones are lost too.
    expect(checkInvariants(records, stored, AGENTS).map((violation) => violation.ids)).toEqual([
      [old, fresh],
      [old, fresh],
    ]);
  });

  it('reads the time of a UUIDv7 and none from other ids', () => {
    expect(uuidV7TimeMs('0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b')).toBe(0x0190a1b2c3d4);
    expect(uuidV7TimeMs('m-direct')).toBeNaN();
  });

  it('accepts trimmed state history that runs on without a gap, and names a gap in it', () => {
    const { records, stored } = cleanRun();
    stored.stateVersions = stored.stateVersions.filter((version) => version.version !== 1);
    expect(checkInvariants(records, stored, AGENTS, { stateHistoryTrimmed: true })).toEqual([]);
    stored.stateVersions.push({ scope: 'agent:a', key: 'hot', version: 5, writeId: 'w5' });
    records.stateAcks.push({ scope: 'agent:c', key: 'hot', version: 1, writeId: 'w-c' });
    expect(
      checkInvariants(records, stored, AGENTS, { stateHistoryTrimmed: true }).map(
        (violation) => violation.ids,
      ),
    ).toEqual([['agent:a/hot@5'], ['agent:c/hot@1']]);
  });

  it('names at most ten ids of a violation but counts them all', () => {
    const { records, stored } = cleanRun();
    for (let index = 0; index < 12; index += 1) records.submittedTasks.push(`t-lost-${index}`);
    const [violation] = checkInvariants(records, stored, AGENTS);
    expect(violation?.count).toBe(12);
    expect(violation?.ids).toHaveLength(10);
  });
});

describe('checkInvariants on a record it cannot read', () => {
  it('refuses a message kind it does not know instead of passing it', () => {
    const { records, stored } = cleanRun();
    records.sent.push({ id: 'm-odd', kind: 'anycast' as never, senderIndex: 0 });
    stored.messageIds.add('m-odd');
    expect(() => checkInvariants(records, stored, AGENTS)).toThrow('unknown message kind anycast');
  });
});
