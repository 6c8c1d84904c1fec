import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceShortName } from '@switchboard/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaProblems } from './k8s-schemas.ts';
import { findKubectl, type K8sObject, type K8sSource, loadOverlay } from './kustomize.ts';
import { selects } from './label-selector.ts';
import { type IngressPolicy, podAccess } from './network-access.ts';
import { checkServiceEnv } from './service-env.ts';
import { deployedServices, publicServices } from './services.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const k8sDir = join(repoRoot, 'infra/k8s');
const kubectl = findKubectl();
const overlays = { dev: 'switchboard-dev', prod: 'switchboard' } as const;
// Without kubectl the overlays cannot be rendered: the base files are checked instead, and the
// run says so (see the first test).
const targets = kubectl === undefined ? ['base'] : (Object.keys(overlays) as string[]);

// Settings whose value carries a secret: they may only come from a Secret (secretKeyRef).
const secretVariables =
  /^SB_(POSTGRES__URL|REDIS__URL|NATS__PASS|NATS__TOKEN|.*TLS__KEY|PRINCIPALS__SIGNING_KEY)$/;
// What the operator's Secrets would hold, to load the config as a pod would.
const secretStandIns: Record<string, string> = {
  SB_POSTGRES__URL: 'postgresql://switchboard:secret@switchboard-db-rw:5432/switchboard',
  SB_REDIS__URL: 'redis://:secret@switchboard-cache:6379',
  SB_NATS__PASS: 'secret',
  SB_PRINCIPALS__PUBLIC_KEYS: '{"ppk-1":"cHVibGlj"}',
  SB_PRINCIPALS__SIGNING_KEY_ID: 'ppk-1',
  SB_PRINCIPALS__SIGNING_KEY: 'cHJpdmF0ZQ==',
};

interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
  }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  volumes?: Array<{ name: string; emptyDir?: object }>;
}

type Deployment = K8sObject & {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};

const sources = new Map<string, K8sSource>();

beforeAll(async () => {
  for (const target of targets) {
    const overlayDir = join(k8sDir, 'overlays', target);
    sources.set(target, await loadOverlay(overlayDir, join(k8sDir, 'base'), kubectl));
  }
});

function objectsOf(target: string): K8sObject[] {
  const source = sources.get(target);
  if (source === undefined) throw new Error(`nothing loaded for ${target}`);
  return source.objects;
}

function find<T extends K8sObject = K8sObject>(
  objects: K8sObject[],
  kind: string,
  name: string,
): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

function containerOf(objects: K8sObject[], folder: string): Container {
  const container = find<Deployment>(objects, 'Deployment', folder).spec.template.spec
    .containers[0];
  if (container === undefined) throw new Error(`Deployment ${folder} has no container`);
  return container;
}

/** The environment the container starts with; Secrets replaced by stand-ins. */
function environmentOf(objects: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name as string;
    Object.assign(
      env,
      (find(objects, 'ConfigMap', name) as { data?: Record<string, string> }).data,
    );
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.secretKeyRef !== undefined) {
      const standIn = secretStandIns[entry.name];
      if (standIn === undefined)
        throw new Error(`add a stand-in value for the Secret in ${entry.name}`);
      env[entry.name] = standIn;
    } else if (entry.valueFrom?.fieldRef !== undefined) env[entry.name] = 'pod-name';
  }
  return env;
}

describe('rendering the Kubernetes overlays', () => {
  it('renders dev and prod with kubectl kustomize, or says loudly that it could not', async ({
    annotate,
  }) => {
    if (kubectl === undefined) {
      const message =
        'kubectl is not on PATH: the Kubernetes OVERLAYS WERE NOT RENDERED; only the base files ' +
        'were checked. Install kubectl to check what `kubectl apply -k` would apply.';
      process.stderr.write(`\n*** ${message}\n\n`);
      await annotate(message, 'warning');
      expect(sources.get('base')?.rendered).toBe(false);
      return;
    }
    for (const overlay of Object.keys(overlays)) {
      expect(sources.get(overlay)?.rendered, overlay).toBe(true);
    }
  });
});

describe.each(targets)('Kubernetes objects of %s', (target) => {
  it('match the Kubernetes schemas of their kinds, and hold no Secret', () => {
    const objects = objectsOf(target);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    for (const object of objects) {
      expect(object.metadata.labels?.['app.kubernetes.io/part-of'], object.metadata.name).toBe(
        'switchboard',
      );
    }
  });

  it.each(deployedServices)(
    'probe $folder where it serves /healthz and /readyz',
    ({ folder, short, port }) => {
      const objects = objectsOf(target);
      const container = containerOf(objects, folder);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      const service = find(objects, 'Service', folder) as K8sObject & {
        spec: {
          selector: Record<string, string>;
          ports: Array<{ name: string; port: number; targetPort: string }>;
        };
      };
      expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      const pods = find<Deployment>(objects, 'Deployment', folder).spec.template.metadata.labels;
      expect(selects({ matchLabels: service.spec.selector }, pods)).toBe(true);
      expect(service.metadata.labels?.['app.kubernetes.io/component']).toBe(short);
    },
  );

  it.each(deployedServices)(
    'configure $folder only with settings its schema knows',
    async (service) => {
      const objects = objectsOf(target);
      const container = containerOf(objects, service.folder);
      const check = await checkServiceEnv(service, environmentOf(objects, container));
      if (!check.ok) expect.fail(check.problems.join('\n'));
      const own = check.config[service.short] as { host: string; port: number };
      expect(own).toMatchObject({ host: '0.0.0.0', port: service.port });
      expect(check.config.nats.user).toBe(service.short);
      expect(check.config.instanceId).toBe('pod-name');
    },
  );

  it.each(deployedServices)(
    'give $folder its secrets only by reference to a Secret',
    ({ folder, short }) => {
      const objects = objectsOf(target);
      const container = containerOf(objects, folder);
      for (const entry of container.env ?? []) {
        if (secretVariables.test(entry.name)) {
          expect(entry.value, entry.name).toBeUndefined();
          expect(entry.valueFrom?.secretKeyRef?.name, entry.name).toMatch(/^switchboard-/);
        }
      }
      expect(container.env?.find((entry) => entry.name === 'SB_NATS__PASS')?.valueFrom).toEqual({
        secretKeyRef: { name: 'switchboard-nats', key: `${short}-password` },
      });
      for (const configMap of objects.filter((object) => object.kind === 'ConfigMap')) {
        const names = Object.keys((configMap as { data?: object }).data ?? {});
        expect(
          names.filter((name) => secretVariables.test(name)),
          configMap.metadata.name,
        ).toEqual([]);
      }
    },
  );

  it.each(deployedServices)(
    'run $folder as non-root, read-only, bounded, and drain it before SIGKILL',
    async (service) => {
      const objects = objectsOf(target);
      const deployment = find<Deployment>(objects, 'Deployment', service.folder);
      const pod = deployment.spec.template.spec;
      const container = containerOf(objects, service.folder);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      // A read-only root still needs a writable /tmp.
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
      for (const kind of ['requests', 'limits'] as const) {
        expect(Object.keys(container.resources?.[kind] ?? {}).sort(), kind).toEqual([
          'cpu',
          'memory',
        ]);
      }
      const check = await checkServiceEnv(service, environmentOf(objects, container));
      const shutdownTimeoutMs = check.ok ? check.config.shutdownTimeoutMs : Number.NaN;
      const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? [];
      expect(sleep).toBe('sleep');
      const preStopMs = Number(seconds) * 1000;
      expect(preStopMs).toBeGreaterThan(0);
      // Kubernetes counts the preStop hook in the grace period; the service then drains.
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
        preStopMs + shutdownTimeoutMs,
      );
    },
  );

  it.each(deployedServices)(
    'scale $folder with an autoscaler and keep it up through disruptions',
    ({ folder }) => {
      const objects = objectsOf(target);
      const pods = find<Deployment>(objects, 'Deployment', folder).spec.template.metadata.labels;
      const hpa = find(objects, 'HorizontalPodAutoscaler', folder) as K8sObject & {
        spec: {
          scaleTargetRef: { kind: string; name: string };
          minReplicas: number;
          maxReplicas: number;
        };
      };
      expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: folder });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      const pdb = find(objects, 'PodDisruptionBudget', folder) as K8sObject & {
        spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable: number };
      };
      expect(selects(pdb.spec.selector, pods)).toBe(true);
      const others = deployedServices.filter((service) => service.folder !== folder);
      for (const other of others) {
        const otherPods = find<Deployment>(objects, 'Deployment', other.folder).spec.template
          .metadata.labels;
        expect(selects(pdb.spec.selector, otherPods)).toBe(false);
      }
      // The deployment leaves the count to the autoscaler.
      expect(
        (find(objects, 'Deployment', folder) as unknown as { spec: { replicas?: number } }).spec
          .replicas,
      ).toBeUndefined();
    },
  );

  it.each(deployedServices)(
    'enforce signed principals in $folder; only signers name the signing key',
    async (service) => {
      const objects = objectsOf(target);
      const container = containerOf(objects, service.folder);
      const check = await checkServiceEnv(service, environmentOf(objects, container));
      if (!check.ok) expect.fail(check.problems.join('\n'));
      const principals = (check.config as { principals: Record<string, unknown> }).principals;
      expect(principals.mode).toBe('enforce');
      const secretOf = (name: string) =>
        container.env?.find((entry) => entry.name === name)?.valueFrom?.secretKeyRef;
      expect(secretOf('SB_PRINCIPALS__PUBLIC_KEYS')).toEqual({
        name: 'switchboard-principals',
        key: 'public-keys',
      });
      if (publicServices.has(service.short)) {
        expect(principals.signingKeyId).toBe('ppk-1');
        expect(secretOf('SB_PRINCIPALS__SIGNING_KEY')).toEqual({
          name: 'switchboard-principal-signing',
          key: 'private-key',
        });
      } else {
        const names = JSON.stringify(container.env);
        expect(names).not.toContain('switchboard-principal-signing');
        expect(principals.signingKey).toBeUndefined();
      }
    },
  );

  it('lets only the gateway, MCP and A2A pods take traffic from outside, on their service port', () => {
    const objects = objectsOf(target);
    const policies = objects.filter(
      (object) => object.kind === 'NetworkPolicy',
    ) as unknown as IngressPolicy[];
    const open = new Set<ServiceShortName>();
    for (const { folder, short } of deployedServices) {
      const labels = find<Deployment>(objects, 'Deployment', folder).spec.template.metadata.labels;
      const access = podAccess(policies, labels);
      expect(access.isolated, folder).toBe(true);
      if (access.openBy.length > 0) open.add(short);
      expect(
        access.openPorts.filter((port) => port !== 'http'),
        folder,
      ).toEqual([]);
    }
    expect([...open].sort()).toEqual([...publicServices].sort());
  });

  it('routes only public paths, to the public services', () => {
    const ingress = find(objectsOf(target), 'Ingress', 'switchboard') as K8sObject & {
      spec: {
        rules: Array<{
          http: {
            paths: Array<{
              path: string;
              backend: { service: { name: string; port: { name: string } } };
            }>;
          };
        }>;
      };
    };
    const paths = ingress.spec.rules.flatMap((rule) => rule.http.paths);
    const publicFolders = deployedServices
      .filter((s) => publicServices.has(s.short))
      .map((s) => s.folder);
    for (const { path, backend } of paths) {
      expect(publicFolders, path).toContain(backend.service.name);
      expect(backend.service.port).toEqual({ name: 'http' });
      expect(path).not.toMatch(/^\/(metrics|healthz|readyz)/);
    }
    expect(paths.map((path) => path.path)).toEqual(
      expect.arrayContaining(['/v1', '/mcp', '/agents']),
    );
  });

  it('has Prometheus scrape /metrics of every service, labelled with its short name', () => {
    const objects = objectsOf(target);
    const monitor = find(objects, 'ServiceMonitor', 'switchboard') as K8sObject & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: Array<{
          port: string;
          path: string;
          honorLabels: boolean;
          relabelings: Array<{ sourceLabels: string[]; targetLabel: string }>;
        }>;
      };
    };
    for (const { folder } of deployedServices) {
      const service = find(objects, 'Service', folder);
      expect(selects(monitor.spec.selector, service.metadata.labels ?? {}), folder).toBe(true);
    }
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({
        port: 'http',
        path: '/metrics',
        honorLabels: true,
        relabelings: [
          {
            sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'],
            targetLabel: 'service',
          },
        ],
      }),
    ]);
  });
});

describe.each(kubectl === undefined ? [] : Object.entries(overlays))(
  'the %s overlay',
  (overlay, namespace) => {
    it('puts everything in its namespace, which enforces the restricted pod security standard', () => {
      const objects = objectsOf(overlay);
      const ns = find(objects, 'Namespace', namespace);
      expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
        expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(namespace);
      }
    });

    it('runs each service from its own image at a fixed tag', () => {
      for (const { folder } of deployedServices) {
        const image = containerOf(objectsOf(overlay), folder).image;
        expect(image).toMatch(new RegExp(`switchboard[-/]${folder}:[\\w.-]+$`));
        expect(image).not.toMatch(/:latest$/);
        if (overlay === 'prod') expect(image).not.toMatch(/:local$/);
      }
    });
  },
);

describe('NATS, Postgres and Redis for Kubernetes (infra/k8s/dependencies)', () => {
  const read = (file: string) => parse(readFileSync(join(k8sDir, 'dependencies', file), 'utf8'));

  it('gives the NATS chart the same users and permissions as the compose NATS config', () => {
    const values = read('nats-values.yaml') as {
      config: {
        cluster: { enabled: boolean; replicas: number };
        jetstream: { enabled: boolean; fileStore: { pvc: { size: string } } };
        merge: {
          max_payload: number;
          authorization: {
            users: Array<{ user: string; password: string; permissions?: unknown }>;
          };
        };
      };
      container: {
        env: Record<string, { valueFrom: { secretKeyRef: { name: string; key: string } } }>;
      };
    };
    const permissions = JSON.parse(
      readFileSync(join(repoRoot, 'infra/nats/permissions.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
    expect(values.config.jetstream.enabled).toBe(true);
    expect(values.config.merge.max_payload).toBeGreaterThanOrEqual(576 * 1024);
    const users = values.config.merge.authorization.users;
    expect(users.map((user) => user.user)).toEqual([
      ...deployedServices.map((s) => s.short),
      'admin',
    ]);
    for (const { short } of deployedServices) {
      const user = users.find((candidate) => candidate.user === short);
      const variable = `NATS_${short.toUpperCase()}_PASSWORD`;
      expect(user?.permissions, short).toEqual(permissions[`PERMISSIONS_${short.toUpperCase()}`]);
      expect(user?.password).toBe(`<< $${variable} >>`);
      // The same Secret and key the service's Deployment reads its NATS password from.
      expect(values.container.env[variable]?.valueFrom.secretKeyRef).toEqual({
        name: 'switchboard-nats',
        key: `${short}-password`,
      });
    }
  });

  it('asks CloudNativePG for three instances and the switchboard database', () => {
    const cluster = read('postgres-cluster.yaml') as {
      apiVersion: string;
      kind: string;
      spec: { instances: number; bootstrap: { initdb: { database: string; owner: string } } };
    };
    expect([cluster.apiVersion, cluster.kind]).toEqual(['postgresql.cnpg.io/v1', 'Cluster']);
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.bootstrap.initdb).toEqual({
      database: 'switchboard',
      owner: 'switchboard',
    });
  });

  it('runs Redis without persistence, its password from a Secret', () => {
    const redis = read('redis.yaml') as {
      kind: string;
      spec: { kubernetesConfig: { redisSecret: { name: string; key: string } }; storage?: unknown };
    };
    expect(redis.kind).toBe('Redis');
    expect(redis.spec.storage).toBeUndefined();
    expect(redis.spec.kubernetesConfig.redisSecret).toEqual({
      name: 'switchboard-redis-auth',
      key: 'password',
    });
  });
});
