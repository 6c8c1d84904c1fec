import { describe, expect, it } from 'vitest';
import { type IngressPolicy, podAccess } from './network-access.ts';

function policy(name: string, spec: IngressPolicy['spec']): IngressPolicy {
  return { metadata: { name }, spec };
}

describe('podAccess', () => {
  const denyAll = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
  const publicGateway = policy('public', {
    podSelector: { matchLabels: { app: 'gateway' } },
    ingress: [{ ports: [{ port: 'http' }] }],
  });
  const fromMonitoring = policy('metrics', {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }] }],
  });

  it('leaves a pod that no policy selects open to everything, but not isolated', () => {
    expect(podAccess([publicGateway], { app: 'state' })).toEqual({
      isolated: false,
      openBy: [],
      openPorts: [],
    });
  });

  it('isolates a selected pod and names the rules that admit any source', () => {
    const policies = [denyAll, publicGateway, fromMonitoring];
    expect(podAccess(policies, { app: 'gateway' })).toEqual({
      isolated: true,
      openBy: ['public'],
      openPorts: ['http'],
    });
    expect(podAccess(policies, { app: 'state' })).toEqual({
      isolated: true,
      openBy: [],
      openPorts: [],
    });
  });

  it('counts an IP block as outside traffic, and a rule without ports as every port', () => {
    const cidr = policy('cidr', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    expect(podAccess([cidr], {})).toEqual({ isolated: true, openBy: ['cidr'], openPorts: ['*'] });
  });

  it('ignores egress-only policies for ingress', () => {
    const egress = policy('egress', { podSelector: {}, policyTypes: ['Egress'] });
    expect(podAccess([egress], {}).isolated).toBe(false);
  });
});
