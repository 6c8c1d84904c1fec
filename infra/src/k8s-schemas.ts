import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import type { K8sObject } from './kustomize.ts';

interface Validatable {
  validate(): void;
}

// The kinds the deployment files use, each with the Kubernetes OpenAPI schema of its API
// version (kubernetes-models) or, for ServiceMonitor, the prometheus-operator CRD's schema.
const models: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/**
 * Problems of one object against its schema: type and required-field errors, or a kind these
 * files are not expected to hold. The schemas allow unknown fields (as the API server's
 * non-strict validation does), so the tests check the fields that matter by name as well.
 */
export function schemaProblems(object: K8sObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const what = `${object.kind} ${object.metadata?.name ?? '(no name)'}`;
  const Model = models[key];
  if (Model === undefined) return [`${what}: no schema for ${key}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${what}: ${(error as Error).message}`];
  }
}
