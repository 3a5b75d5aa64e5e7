import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    { healthcheck?: unknown; deploy?: { replicas?: number }; command?: string[]; depends_on?: Record<string, unknown> }
  >;
};

describe('docker-compose.yml', () => {
  test('has postgres, redis (appendonly), the two APIs and two worker replicas, each with a health check', () => {
    const { services } = compose;
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'product-api', 'inventory-api', 'inventory-worker']),
    );
    for (const name of ['postgres', 'redis', 'product-api', 'inventory-api', 'inventory-worker'])
      expect(services[name]?.healthcheck).toBeDefined();
    expect(services.redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(services['inventory-worker']?.deploy?.replicas).toBe(2);
  });

  test('starts each service from a file the build produces', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const script = service.command?.[1];
      if (service.command?.[0] !== 'node' || !script) continue;
      expect({ name, exists: fs.existsSync(path.join(root, script.replace(/\/dist\/(src\/)?/, '/src/').replace(/\.js$/, '.ts'))) }).toEqual(
        { name, exists: true },
      );
    }
  });

  const hasCompose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
  (hasCompose ? test : test.skip)('passes `docker compose config -q` (where the docker CLI has compose)', () => {
    execFileSync('docker', ['compose', 'config', '-q'], { cwd: root });
  });
});
