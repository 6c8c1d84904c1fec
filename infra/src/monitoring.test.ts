import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNatsBus } from '@switchboard/bus';
import { createMetricsRegistry } from '@switchboard/service';
import { cleanupNamespace, createTestNamespace, testInfra } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadComposeFile } from './compose.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const monitoringDir = join(repoRoot, 'infra/monitoring');
const future = 'Filled once the feature ships';

interface Panel {
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

const dashboard = JSON.parse(
  readFileSync(join(monitoringDir, 'grafana/dashboards/switchboard.json'), 'utf8'),
) as { uid: string; panels: Panel[]; templating: { list: Array<{ datasource: { uid: string } }> } };
const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
const deployDoc = readFileSync(join(repoRoot, 'docs/deploy.md'), 'utf8');

/** Metric names a PromQL expression reads (histogram series named by their family). */
function metricsOf(expr: string): string[] {
  const names = expr.match(
    /\b(sb_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b(?=\s*[{[)])/g,
  );
  return [...new Set((names ?? []).map((name) => name.replace(/_bucket$/, '')))];
}

let exported: Set<string>;
const namespace = createTestNamespace();

beforeAll(async () => {
  // What a service exports today: the bootstrap's registry plus the bus's RPC metrics.
  const registry = createMetricsRegistry({ service: 'state', instance: 'probe', version: '0' });
  const bus = await connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => 5000,
    metrics: registry,
  });
  await bus.close();
  const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
  // `up` is Prometheus's own, one per scrape target.
  exported = new Set([...names, 'up']);
});
afterAll(async () => {
  await cleanupNamespace(namespace);
});

describe('the Switchboard dashboard', () => {
  it('queries the provisioned Prometheus datasource', () => {
    const datasources = parse(
      readFileSync(join(monitoringDir, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; url: string; isDefault: boolean }> };
    const [prometheus] = datasources.datasources;
    expect(prometheus).toMatchObject({
      uid: 'prometheus',
      url: 'http://prometheus:9090',
      isDefault: true,
    });
    for (const panel of graphs) {
      expect(panel.datasource?.uid, panel.title).toBe(prometheus?.uid);
      for (const target of panel.targets ?? [])
        expect(target.datasource?.uid).toBe(prometheus?.uid);
    }
    for (const variable of dashboard.templating.list)
      expect(variable.datasource.uid).toBe(prometheus?.uid);
  });

  it('shows per-service CPU and memory, bus RPCs, and the replicas that are up, all exported today', () => {
    const today = graphs.filter((panel) =>
      (panel.targets ?? []).every((target) =>
        metricsOf(target.expr).every((name) => exported.has(name)),
      ),
    );
    const read = today.flatMap((panel) => (panel.targets ?? []).flatMap((t) => metricsOf(t.expr)));
    expect(new Set(read)).toEqual(
      new Set([
        'up',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'sb_bus_requests_total',
        'sb_bus_request_duration_seconds',
      ]),
    );
    for (const panel of today) expect(panel.description, panel.title).not.toContain(future);
  });

  it('marks every panel over a metric not exported yet, and docs/deploy.md defines that metric', () => {
    const pending = graphs.filter((panel) =>
      (panel.targets ?? []).some((target) =>
        metricsOf(target.expr).some((name) => !exported.has(name)),
      ),
    );
    expect(pending.map((panel) => panel.title)).toEqual([
      'Agent connections',
      'Messages',
      'Delivery latency',
      'Queue depth',
      'Tasks by state',
      'Tool calls',
      'Tool call latency',
      'Rate-limit hits',
    ]);
    for (const panel of pending) {
      expect(panel.description, panel.title).toContain(future);
      for (const name of (panel.targets ?? []).flatMap((target) => metricsOf(target.expr))) {
        if (!exported.has(name)) expect(deployDoc, name).toContain(`\`${name}\``);
      }
    }
  });

  it('is loaded by the provisioning from where compose mounts it', async () => {
    const provider = parse(
      readFileSync(join(monitoringDir, 'grafana/provisioning/dashboards/switchboard.yml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    const compose = await loadComposeFile(join(repoRoot, 'docker-compose.yml'), {});
    const mounts = compose.services.grafana?.volumes ?? [];
    expect(mounts).toContain(
      `./infra/monitoring/grafana/dashboards:${provider.providers[0]?.options.path}:ro`,
    );
    expect(mounts).toContain(
      './infra/monitoring/grafana/provisioning:/etc/grafana/provisioning:ro',
    );
  });
});

describe('metricsOf', () => {
  it('reads metric names from selectors, ranges and calls, histogram buckets by family', () => {
    expect(
      metricsOf('histogram_quantile(0.5, sum by (le) (rate(sb_x_seconds_bucket{a="b"}[5m]))) + up'),
    ).toEqual(['sb_x_seconds']);
    expect(metricsOf('sum by (service) (up{service=~"$service"})')).toEqual(['up']);
    expect(metricsOf('max(sb_router_queue_depth)')).toEqual(['sb_router_queue_depth']);
  });
});
