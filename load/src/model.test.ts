import { describe, expect, it } from 'vitest';
import {
  agentIdOf,
  gatewayOf,
  isFiltered,
  rolesOf,
  topicCountOf,
  topicOf,
  topicRecipientsOf,
} from './agent-model.ts';
import { DEFAULT_MIX, operationPicker, parseMix } from './operations.ts';
import { emptyRecords, mergeRecords } from './records.ts';
import { arrivalTimes, rampRates } from './schedule.ts';

describe('the agent model', () => {
  it('spreads agents over both gateways and topics of about ten', () => {
    expect(agentIdOf('r1', 7)).toBe('load-r1-7');
    expect([0, 1, 2, 3].map(gatewayOf)).toEqual([0, 1, 0, 1]);
    expect(topicCountOf(1000)).toBe(100);
    expect(topicCountOf(3)).toBe(1);
    expect(topicOf(205, 1000)).toBe(5);
    expect([0, 1, 2, 3].map(isFiltered)).toEqual([true, false, false, true]);
  });

  it('gives a topic message to the subscribers whose filter it passes', () => {
    expect(topicRecipientsOf(5, true, 30)).toEqual([5, 8, 11, 14, 17, 20, 23, 26, 29]);
    expect(topicRecipientsOf(0, true, 25)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24]);
    expect(topicRecipientsOf(0, false, 25)).toEqual([]);
    expect(topicRecipientsOf(1, false, 25)).toEqual([1, 4, 7, 10, 13, 16, 19, 22]);
  });

  it('gives every role to some agent, in large and tiny runs alike', () => {
    const count = (agents: number, role: 'toolProvider' | 'taskExecutor' | 'a2aAgent') =>
      Array.from({ length: agents }, (_, index) => rolesOf(index, agents)[role]).filter(Boolean)
        .length;
    expect([
      count(1000, 'toolProvider'),
      count(1000, 'taskExecutor'),
      count(1000, 'a2aAgent'),
    ]).toEqual([100, 100, 20]);
    expect([count(3, 'toolProvider'), count(3, 'taskExecutor'), count(3, 'a2aAgent')]).toEqual([
      1, 1, 1,
    ]);
    expect(rolesOf(0, 1)).toEqual({ toolProvider: true, taskExecutor: true, a2aAgent: true });
  });
});

describe('the mix', () => {
  it('keeps default weights for operations a mix does not name', () => {
    const mix = parseMix('direct=1, broadcast=0,');
    expect(mix.direct).toBe(1);
    expect(mix.broadcast).toBe(0);
    expect(mix.task).toBe(DEFAULT_MIX.task);
  });

  it('refuses unknown operations, bad weights and a mix with nothing in it', () => {
    expect(() => parseMix('dirct=1')).toThrow('bad mix entry "dirct=1"');
    expect(() => parseMix('direct=-1')).toThrow('bad mix entry');
    expect(() => parseMix('direct')).toThrow('bad mix entry');
    const nothing = Object.fromEntries(Object.keys(DEFAULT_MIX).map((name) => [name, 0]));
    expect(() => parseMix('', nothing as typeof DEFAULT_MIX)).toThrow('no operation');
  });

  it('picks operations in proportion to their weights and skips those at 0', () => {
    const pick = operationPicker(parseMix('', { ...zeroMix(), direct: 3, task: 1 }));
    expect([0, 0.5, 0.74, 0.75, 0.99, 1].map(pick)).toEqual([
      'direct',
      'direct',
      'direct',
      'task',
      'task',
      'task',
    ]);
  });
});

function zeroMix(): typeof DEFAULT_MIX {
  return Object.fromEntries(
    Object.keys(DEFAULT_MIX).map((name) => [name, 0]),
  ) as unknown as typeof DEFAULT_MIX;
}

describe('the schedule', () => {
  it('spaces arrivals evenly at the offered rate', () => {
    expect(arrivalTimes(1000, 4, 1000)).toEqual([1000, 1250, 1500, 1750]);
    expect(arrivalTimes(0, 10, 250)).toEqual([0, 100]);
  });

  it('steps a ramp by its factor up to the maximum', () => {
    expect(rampRates(100, 1.5, 400)).toEqual([100, 150, 225, 338]);
    expect(() => rampRates(0, 1.5, 10)).toThrow('a ramp needs');
    expect(() => rampRates(10, 1, 100)).toThrow('a ramp needs');
  });
});

describe('records', () => {
  it('merges the records of generator processes', () => {
    const first = emptyRecords();
    first.submittedTasks.push('t1');
    const second = emptyRecords();
    second.sent.push({ id: 'm', kind: 'direct', senderIndex: 0, toIndex: 1 });
    second.sightings.push([1, 'm', 1]);
    second.taskRuns.push(['t1', 1]);
    second.stateAcks.push({ scope: 's', key: 'k', version: 1, writeId: 'w' });
    first.remoteSends.push('r');
    second.failedA2aSends.push('f');
    expect(mergeRecords([first, second])).toEqual({
      sent: second.sent,
      sightings: second.sightings,
      submittedTasks: ['t1'],
      taskRuns: [['t1', 1]],
      stateAcks: second.stateAcks,
      remoteSends: ['r'],
      failedA2aSends: ['f'],
    });
  });
});
