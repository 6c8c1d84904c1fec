import { describe, expect, it } from 'vitest';
import { Services, serviceShortNames } from './services.ts';
import { subjects } from './subjects.ts';

describe('subjects', () => {
  it('derives every name from the namespace', () => {
    const names = subjects('sb');
    expect(names.rpc('router', 'ping')).toBe('sb.v1.router.ping');
    expect(names.queueGroup('state')).toBe('sb.state');
    expect(names.event('agent', 'connected')).toBe('sb.v1.evt.agent.connected');
    expect(names.allEvents).toBe('sb.v1.evt.>');
    expect(names.gatewayDeliver('gw-1')).toBe('sb.v1.gw.gw-1.deliver');
    expect(names.gatewayControl('gw-1')).toBe('sb.v1.gw.gw-1.control');
    expect(names.eventStream).toBe('sb_events');
    expect(names.configBucket).toBe('sb_config');
    expect(names.redisPrefix).toBe('sb:');
  });

  it('keeps two namespaces apart', () => {
    expect(subjects('t_1').rpc('tasks', 'submit')).not.toBe(subjects('t_2').rpc('tasks', 'submit'));
  });

  it('refuses a namespace that would break subjects or keys', () => {
    for (const bad of ['', 'Sb', 'a.b', 'a>b', 'a b', 'x'.repeat(49)]) {
      expect(() => subjects(bad)).toThrow();
    }
  });
});

describe('services', () => {
  it('lists six services with distinct ports and folders', () => {
    expect(serviceShortNames).toEqual(['gateway', 'router', 'tools', 'a2a', 'state', 'tasks']);
    const ports = serviceShortNames.map((short) => Services[short].port);
    expect(new Set(ports).size).toBe(6);
    expect(Services.router.folder).toBe('message-router');
  });
});
