import { type LabelSelector, selects } from './label-selector.ts';

/** The part of a NetworkPolicy that decides who may connect to a pod. */
export interface IngressPolicy {
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Array<{
      from?: Array<{
        ipBlock?: { cidr: string };
        namespaceSelector?: LabelSelector;
        podSelector?: LabelSelector;
      }>;
      ports?: Array<{ port?: number | string }>;
    }>;
  };
}

/** Who may open a connection to one pod, by the policies of its namespace. */
export interface PodAccess {
  /** Some policy selects the pod for ingress: what no rule allows is refused. */
  isolated: boolean;
  /** Policies with a rule that admits any source (no `from`, or an IP block). */
  openBy: string[];
  /** Ports the open rules admit (`*` for every port). */
  openPorts: Array<number | string>;
}

function isIngressPolicy(policy: IngressPolicy): boolean {
  return policy.spec.policyTypes?.includes('Ingress') ?? true;
}

/**
 * Evaluates the NetworkPolicy semantics for ingress: a pod no policy selects accepts
 * everything; a selected pod accepts only what one of the selecting policies' rules allows. A
 * rule with no `from`, or with an `ipBlock`, admits sources outside the cluster.
 */
export function podAccess(
  policies: readonly IngressPolicy[],
  podLabels: Record<string, string>,
): PodAccess {
  const selecting = policies.filter(
    (policy) => isIngressPolicy(policy) && selects(policy.spec.podSelector, podLabels),
  );
  const openBy: string[] = [];
  const openPorts: Array<number | string> = [];
  for (const policy of selecting) {
    for (const rule of policy.spec.ingress ?? []) {
      const from = rule.from ?? [];
      if (from.length === 0 || from.some((peer) => peer.ipBlock !== undefined)) {
        openBy.push(policy.metadata.name);
        const ports = rule.ports ?? [];
        openPorts.push(...(ports.length === 0 ? ['*'] : ports.map((port) => port.port ?? '*')));
      }
    }
  }
  return { isolated: selecting.length > 0, openBy, openPorts };
}
