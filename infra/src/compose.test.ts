import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ComposeFile, loadComposeFile, parsePortMapping } from './compose.ts';
import { checkServiceEnv } from './service-env.ts';
import { deployedServices, publicServices } from './services.ts';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const composePath = join(repoRoot, 'docker-compose.yml');
const infrastructure = ['postgres', 'redis', 'nats'] as const;
// NATS reads a password from its environment as a config value: it must read as a bare string.
const natsBareString = /^[A-Za-z][A-Za-z0-9_-]*$/;

let compose: ComposeFile;
beforeAll(async () => {
  compose = await loadComposeFile(composePath, {});
});

function serviceOf(name: string) {
  const service = compose.services[name];
  if (service === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
}

describe('docker-compose.yml: the six services', () => {
  it.each(deployedServices)(
    'builds $folder from the Dockerfile with SERVICE=$folder',
    ({ folder }) => {
      const { build, image } = serviceOf(folder);
      const context = resolve(repoRoot, build?.context ?? '.');
      expect(existsSync(join(context, build?.dockerfile ?? 'Dockerfile'))).toBe(true);
      expect(build?.args?.SERVICE).toBe(folder);
      expect(existsSync(join(context, 'apps', folder, 'src', 'main.ts'))).toBe(true);
      expect(image).toBe(`switchboard-${folder}:local`);
    },
  );

  it.each(deployedServices)(
    'configures $folder only with settings its schema knows',
    async (service) => {
      const { environment } = serviceOf(service.folder);
      const check = await checkServiceEnv(service, environment);
      if (!check.ok) expect.fail(check.problems.join('\n'));
      const own = check.config[service.short] as { host: string; port: number };
      // Inside a container the loopback default would be unreachable from the other containers.
      expect(own.host).toBe('0.0.0.0');
      expect(own.port).toBe(service.port);
      // Passwords come from variables: a file that sets SB_NATS__PASS to a literal is a leak.
      expect(check.config.nats.user).toBe(service.short);
    },
  );

  it.each(deployedServices)(
    'checks $folder on /readyz and starts it after healthy infrastructure',
    ({ folder }) => {
      const service = serviceOf(folder);
      expect(service.healthcheck?.disable).not.toBe(true);
      expect(service.healthcheck?.test).toEqual(['CMD', 'node', 'dist/healthcheck.mjs']);
      for (const dependency of infrastructure) {
        expect(service.depends_on?.[dependency]?.condition).toBe('service_healthy');
      }
      expect(service.restart).toBe('unless-stopped');
    },
  );

  it('publishes only the gateway, MCP and A2A ports, each on the port the service listens on', () => {
    for (const { folder, short, port } of deployedServices) {
      const ports = (serviceOf(folder).ports ?? []).map(parsePortMapping);
      if (publicServices.has(short)) {
        expect(ports).toEqual([
          { hostAddress: '127.0.0.1', hostPort: `${port}`, containerPort: `${port}` },
        ]);
      } else {
        // No host port and no fixed name: `docker compose up --scale message-router=3` works.
        expect(ports).toEqual([]);
      }
    }
    for (const name of infrastructure) expect(serviceOf(name).ports ?? []).toEqual([]);
  });

  it('names no container, so every service can be scaled', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, containerName: service.container_name }).toEqual({
        name,
        containerName: undefined,
      });
    }
  });

  it('publishes on another address when PUBLISH_ADDRESS says so', async () => {
    const elsewhere = await loadComposeFile(composePath, { PUBLISH_ADDRESS: '0.0.0.0' });
    expect(parsePortMapping(elsewhere.services.gateway?.ports?.[0] ?? '')).toMatchObject({
      hostAddress: '0.0.0.0',
    });
  });
});

describe('docker-compose.yml: infrastructure', () => {
  it('checks the health of Postgres, Redis and NATS', () => {
    for (const name of infrastructure) {
      expect(serviceOf(name).healthcheck?.test, name).toBeDefined();
    }
    expect(JSON.stringify(serviceOf('nats').healthcheck?.test)).toContain('js-enabled-only=true');
  });

  it('keeps Postgres and JetStream data in named volumes', () => {
    const named = Object.keys(compose.volumes);
    expect(serviceOf('postgres').volumes).toContain('postgres-data:/var/lib/postgresql');
    expect(serviceOf('nats').volumes).toContain('nats-data:/data');
    expect(serviceOf('nats').command).toEqual(
      expect.arrayContaining(['--config', '/etc/nats/nats.conf', '--store_dir', '/data']),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':') as [string];
        if (source.startsWith('.')) {
          expect(existsSync(resolve(repoRoot, source)), `${name}: ${source}`).toBe(true);
        } else {
          expect(named, `${name}: ${volume}`).toContain(source);
        }
      }
    }
  });

  it('gives the services the Postgres user, password and database the container creates', async () => {
    const postgres = serviceOf('postgres').environment;
    for (const variables of [{}, { POSTGRES_PASSWORD: 'elsewhere' }]) {
      const file = await loadComposeFile(composePath, variables);
      const db = file.services.postgres?.environment ?? {};
      for (const { folder } of deployedServices) {
        const url = new URL(file.services[folder]?.environment.SB_POSTGRES__URL ?? '');
        expect(url.username).toBe(db.POSTGRES_USER);
        expect(url.password).toBe(db.POSTGRES_PASSWORD);
        expect(url.pathname).toBe(`/${db.POSTGRES_DB}`);
        expect(url.host).toBe('postgres:5432');
      }
    }
    expect(postgres.POSTGRES_PASSWORD).toBe('switchboard');
  });

  it('gives each service the NATS password its NATS user has, defaults and overrides alike', async () => {
    for (const variables of [
      {},
      { NATS_ROUTER_PASSWORD: 'pOverride', NATS_A2A_PASSWORD: 'pOther' },
    ]) {
      const file = await loadComposeFile(composePath, variables);
      const nats = file.services.nats?.environment ?? {};
      for (const { folder, short } of deployedServices) {
        const password = nats[`NATS_${short.toUpperCase()}_PASSWORD`];
        expect(password).toMatch(natsBareString);
        expect(file.services[folder]?.environment.SB_NATS__PASS).toBe(password);
      }
      expect(nats.NATS_ADMIN_PASSWORD).toMatch(natsBareString);
    }
  });

  it('starts NATS with the config that defines a user for each service', () => {
    const config = readFileSync(join(repoRoot, 'infra/nats/nats.conf'), 'utf8');
    for (const { short } of deployedServices) {
      const upper = short.toUpperCase();
      expect(config).toContain(
        `{ user: ${short}, password: $NATS_${upper}_PASSWORD, permissions: $PERMISSIONS_${upper} }`,
      );
    }
  });
});

describe('docker-compose.yml: the monitoring profile', () => {
  it('adds Prometheus and Grafana only with the profile; Grafana only on 127.0.0.1', () => {
    const monitoring = ['prometheus', 'grafana'];
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.profiles ?? [], name).toEqual(monitoring.includes(name) ? ['monitoring'] : []);
    }
    expect((serviceOf('prometheus').ports ?? []).map(parsePortMapping)).toEqual([]);
    expect((serviceOf('grafana').ports ?? []).map(parsePortMapping)).toEqual([
      { hostAddress: '127.0.0.1', hostPort: '3000', containerPort: '3000' },
    ]);
  });

  it('scrapes every replica of every service on its port, labelled with its short name', () => {
    const prometheus = parse(
      readFileSync(join(repoRoot, 'infra/monitoring/prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: Array<{
        job_name: string;
        honor_labels?: boolean;
        dns_sd_configs: Array<{ names: string[]; type: string; port: number }>;
        relabel_configs: Array<{ target_label: string; replacement: string }>;
      }>;
    };
    const jobs = prometheus.scrape_configs.map((job) => ({
      service: job.relabel_configs.find((rule) => rule.target_label === 'service')?.replacement,
      names: job.dns_sd_configs.flatMap((sd) => sd.names),
      port: job.dns_sd_configs[0]?.port,
      honorLabels: job.honor_labels,
    }));
    expect(jobs).toEqual(
      deployedServices.map(({ short, folder, port }) => ({
        service: short,
        names: [folder],
        port,
        honorLabels: true,
      })),
    );
    for (const { names } of jobs) expect(Object.keys(compose.services)).toContain(names[0]);
  });
});
