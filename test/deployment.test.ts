// What deploys the system must agree with the code: docker-compose.yml, the Kubernetes manifests, the
// alert rules and the dashboard name only variables, paths, ports, streams and metrics that exist.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ProductApiConfig } from '../product-api/src/config';
import { InventoryApiConfig } from '../inventory-api/src/config';
import { WorkerConfig } from '../inventory-worker/src/config';
import { redisConnectionOf } from '@stockstream/platform';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

type Service = {
  healthcheck?: unknown;
  deploy?: { replicas?: number };
  command?: string[];
  profiles?: string[];
  volumes?: string[];
  ports?: string[];
};
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

/** The file a `node <dist file>` command runs, as the build (which `npm test` runs first) makes it. */
const built = (script: string) => path.join(root, script);

/** Every variable some process reads, by the config schemas each process parses at start. */
const knownVariables = new Set([ProductApiConfig, InventoryApiConfig, WorkerConfig].flatMap((schema) => Object.keys(schema.shape)));

/** Every metric the code registers (by `name: '…'` next to `registers:`), with a histogram's series. */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return ['node_modules', 'dist', 'test', 'generated'].includes(entry.name) ? [] : walk(full);
      return full.endsWith('.ts') ? [full] : [];
    });
  for (const file of ['platform', 'product-api', 'inventory-api', 'inventory-worker'].flatMap((dir) => walk(path.join(root, dir)))) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('registers:')) continue;
    for (const [, name] of text.matchAll(/name: '([a-z_]+)'/g)) {
      if (!name) continue;
      names.add(name);
      for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

/** The metric names a PromQL expression uses (identifiers followed by a selector, a range or an operator). */
function metricsIn(expression: string): string[] {
  const words = expression.replace(/"[^"]*"/g, '').match(/[a-z_][a-z0-9_]*(?=\s*[{[)\s-]|$)/g) ?? [];
  const keywords =
    /^(sum|max|min|by|without|rate|increase|delta|time|offset|histogram_quantile|min_over_time|le|status|service|instance|route|outcome|reason|kind|on|and|or|unless)$/;
  return words.filter((word) => word.includes('_') && !keywords.test(word));
}

describe('docker-compose.yml', () => {
  test('has postgres, redis (appendonly), the two APIs and two worker replicas, each with a health check', () => {
    const { services } = compose;
    for (const name of ['postgres', 'redis', 'product-api', 'inventory-api', 'inventory-worker'])
      expect(services[name]?.healthcheck).toBeDefined();
    expect(services.redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(services['inventory-worker']?.deploy?.replicas).toBe(2);
  });

  test('starts each service from a file the build produces', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const script = service.command?.[1];
      if (service.command?.[0] !== 'node' || !script) continue;
      expect({ name, exists: fs.existsSync(built(script)) }).toEqual({ name, exists: true });
    }
  });

  test('the observability profile adds Prometheus with the alert rules, Grafana with the dashboard, and Jaeger receiving OTLP', () => {
    expect(compose.services.prometheus?.profiles).toEqual(['observability']);
    expect(compose.services.grafana?.profiles).toEqual(['observability']);
    expect(compose.services.jaeger?.profiles).toEqual(['observability']);
    expect(compose.services.jaeger?.ports).toEqual(expect.arrayContaining(['127.0.0.1:4318:4318']));
    for (const volume of [...(compose.services.prometheus?.volumes ?? []), ...(compose.services.grafana?.volumes ?? [])]) {
      expect(fs.existsSync(path.join(root, volume.split(':')[0] ?? ''))).toBe(true);
    }
  });

  // .ci/run installs Debian's docker-compose; with Docker's compose plugin, `docker compose` works as well.
  const composeCommand = has('docker-compose', ['version'])
    ? ['docker-compose']
    : has('docker', ['compose', 'version'])
      ? ['docker', 'compose']
      : undefined;
  (composeCommand ? test : test.skip)('passes `docker-compose config`, with and without the observability profile', () => {
    const [command = 'docker-compose', ...prefix] = composeCommand ?? [];
    execFileSync(command, [...prefix, 'config', '-q'], { cwd: root });
    const services = execFileSync(command, [...prefix, '--profile', 'observability', 'config', '--services'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(services.split('\n')).toEqual(expect.arrayContaining(['prometheus', 'grafana', 'jaeger', 'inventory-worker']));
  });

  (composeCommand ? test.each : test.skip.each)([
    ['one node', [], 'url'],
    ['sentinel', ['--profile', 'sentinel', '--env-file', 'deploy/compose/sentinel.env'], 'sentinel'],
    ['cluster', ['--profile', 'cluster', '--env-file', 'deploy/compose/cluster.env'], 'cluster'],
  ] as const)('%s: every service gets a Redis topology its config accepts', (_name, options, topology) => {
    const [command = 'docker-compose', ...prefix] = composeCommand ?? [];
    const resolved = parse(execFileSync(command, [...prefix, ...options, 'config'], { cwd: root, encoding: 'utf8' })) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const schemas = { 'product-api': ProductApiConfig, 'inventory-api': InventoryApiConfig, 'inventory-worker': WorkerConfig };
    for (const [name, schema] of Object.entries(schemas)) {
      const parsed = schema.parse(resolved.services[name]?.environment ?? {});
      expect(redisConnectionOf(parsed)).toHaveProperty(topology);
    }
  });
});

describe('.env.example', () => {
  test("lists every variable the processes read, and none they do not (WORKERS is npm start's)", () => {
    const listed = new Set([...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? ''));
    expect([...knownVariables].filter((name) => !listed.has(name)).sort()).toEqual([]);
    expect([...listed].filter((name) => !knownVariables.has(name) && name !== 'WORKERS').sort()).toEqual([]);
  });
});

describe('Prometheus alert rules and the Grafana dashboard', () => {
  const metrics = registeredMetrics();

  test('name only metrics the processes serve', () => {
    const rules = parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/stockstream.json')) as { panels: { targets: { expr: string }[] }[] };
    const expressions = [
      ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
    ];
    const unknown = expressions.flatMap(metricsIn).filter((name) => !metrics.has(name));
    expect(unknown).toEqual([]);
    expect(rules.groups[0]?.rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'DeadLettersGrowing',
        'ConsumerGroupLagging',
        'PendingEntryStuck',
        'WorkerNotReading',
        'OutboxBacklogGrowing',
        'BrokerReset',
        'HighServerErrorRate',
      ]),
    );
  });

  // .ci/run installs Debian's prometheus package for promtool.
  (has('promtool', ['--version']) ? test : test.skip)('pass `promtool check rules` and their unit tests (`promtool test rules`)', () => {
    const cwd = path.join(root, 'deploy', 'prometheus');
    execFileSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd, stdio: 'pipe' });
    const output = execFileSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    expect(output).toContain('SUCCESS');
  });
});

/** The manifests of a kustomization, as `kubectl kustomize` builds them (base: its files, when kubectl is missing). */
function manifestsOf(variant: string): string | undefined {
  const dir = path.join(root, 'deploy', 'k8s', variant);
  if (has('kubectl', ['version', '--client'])) return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (variant !== 'base') return undefined;
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .map((file) => read(path.join('deploy', 'k8s', variant, file)))
    .join('\n---\n');
}

/** Each kustomization: its Redis topology and the KEDA trigger type that reads the stream there. */
const variants = [
  { variant: 'base', topology: 'url', trigger: 'redis-streams' },
  { variant: 'redis-sentinel', topology: 'sentinel', trigger: 'redis-sentinel-streams' },
  { variant: 'redis-cluster', topology: 'cluster', trigger: 'redis-cluster-streams' },
] as const;

describe.each(variants)('Kubernetes manifests (deploy/k8s/$variant)', ({ variant, topology, trigger: triggerType }) => {
  const manifestText = manifestsOf(variant);
  if (manifestText === undefined) {
    test.skip(`needs kubectl to build the ${variant} kustomization`, () => undefined);
    return;
  }
  type Container = {
    command: string[];
    ports?: { name: string; containerPort: number }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    livenessProbe?: { httpGet: { path: string; port: string } };
    readinessProbe?: { httpGet: { path: string; port: string } };
  };
  type Manifest = {
    kind: string;
    metadata: { name: string };
    data?: Record<string, string>;
    stringData?: Record<string, string>;
    spec?: {
      template?: { spec: { terminationGracePeriodSeconds?: number; containers: Container[] } };
      triggers?: { type: string; metadata: Record<string, string> }[];
      scaleTargetRef?: { name: string };
      ports?: { port: number; targetPort: string }[];
    };
  };
  const manifests = parseAllDocuments(manifestText)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
  const of = (kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  const config = of('ConfigMap', 'stockstream-config')?.data ?? {};
  const secret = of('Secret', 'stockstream-secrets')?.stringData ?? {};
  const deployments = { 'product-api': ProductApiConfig, 'inventory-api': InventoryApiConfig, 'inventory-worker': WorkerConfig };

  test('every variable of the ConfigMap and the Secret is read by a process; the admin keys come from the Secret', () => {
    expect([...Object.keys(config), ...Object.keys(secret)].filter((name) => !knownVariables.has(name))).toEqual([]);
    expect(secret).toHaveProperty('ADMIN_API_KEYS');
    expect(config).not.toHaveProperty('ADMIN_API_KEYS');
    expect(config).not.toHaveProperty('ADMIN_API_KEY');
    // And the ConfigMap's values pass the processes' own validation.
    for (const schema of Object.values(deployments)) expect(() => schema.parse({ ...config, ...secret })).not.toThrow();
  });

  test.each(Object.keys(deployments))(
    '%s: runs a built entry point, probes its health routes on its port, outlives its shutdown',
    (name) => {
      const deployment = of('Deployment', name);
      const pod = deployment?.spec?.template?.spec;
      const container = pod?.containers[0];
      expect(container).toBeDefined();
      expect(fs.existsSync(built(container?.command[1] ?? ''))).toBe(true);
      expect(container?.envFrom).toEqual([
        { configMapRef: { name: 'stockstream-config' } },
        { secretRef: { name: 'stockstream-secrets' } },
      ]);
      const parsed = deployments[name as keyof typeof deployments].parse({ ...config, ...secret }) as Record<string, unknown>;
      const port = parsed.PRODUCT_API_PORT ?? parsed.INVENTORY_API_PORT ?? parsed.WORKER_PORT;
      const [declared] = container?.ports ?? [];
      expect(declared?.containerPort).toBe(port);
      expect(container?.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: declared?.name });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: declared?.name });
      expect((pod?.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(Number(parsed.SHUTDOWN_TIMEOUT_MS));
      const service = of('Service', name);
      if (name !== 'inventory-worker') expect(service?.spec?.ports?.[0]).toMatchObject({ port, targetPort: declared?.name });
    },
  );

  test('the processes reach Redis as the variant says, and KEDA scales inventory-worker on the same stream and group there', () => {
    const scaled = of('ScaledObject', 'inventory-worker');
    expect(scaled?.spec?.scaleTargetRef?.name).toBe('inventory-worker');
    const worker = WorkerConfig.parse({ ...config, ...secret });
    const connection = redisConnectionOf(worker);
    expect(connection).toHaveProperty(topology);
    const triggers = scaled?.spec?.triggers ?? [];
    expect(triggers.length).toBe(2);
    for (const trigger of triggers) {
      expect(trigger.type).toBe(triggerType);
      expect(trigger.metadata).toMatchObject({ stream: worker.PRODUCT_STREAM, consumerGroup: worker.CONSUMER_GROUP });
      if ('url' in connection) expect(`redis://${trigger.metadata.address}`).toBe(worker.REDIS_URL);
      if ('sentinel' in connection) {
        expect(trigger.metadata.addresses).toBe(config.REDIS_SENTINELS);
        expect(trigger.metadata.sentinelMaster).toBe(connection.sentinel.master);
      }
      if ('cluster' in connection) expect(trigger.metadata.addresses).toBe(config.REDIS_CLUSTER_NODES);
    }
  });
});
