// `npm run bench [-- --quick]`: every scenario with its baseline in the same run, on private databases and
// a private redis-server; prints a table and writes bench/results.json and bench/results.md.
import path from 'node:path';
import { Client } from 'pg';
import { createClient } from '@redis/client';
import { PrivateRedis, ROOT, SERVER_URL } from './infra';
import { machine, markdown, writeReport } from './report';
import type { Report } from './report';
import { FULL, QUICK, sized } from './scenarios/context';
import type { Context } from './scenarios/context';
import { clusterScenario } from './scenarios/cluster';
import { deadLetterScenario } from './scenarios/dead-letters';
import { drainScenario } from './scenarios/drain';
import { endToEndScenario } from './scenarios/end-to-end';
import { httpScenarios } from './scenarios/http';
import { soakScenario } from './scenarios/soak';

async function versions(redisUrl: string): Promise<{ postgres: string; redis: string }> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  const postgres = String((await client.query('SHOW server_version')).rows[0]?.server_version ?? 'unknown');
  await client.end();
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  const info = await redis.info('server');
  await redis.close();
  return { postgres: `PostgreSQL ${postgres}`, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const redis = await PrivateRedis.start();
  const context: Context = {
    redis,
    sizes: sized(quick ? QUICK : FULL, process.env),
    rows: [],
    rss: {},
    notes: [],
    log: (line) => console.error(`bench: ${line}`),
  };
  const startedAt = new Date().toISOString();
  try {
    const scenarios: [string, (context: Context) => Promise<void>][] = [
      ['http', httpScenarios],
      ['drain', drainScenario],
      ['e2e', endToEndScenario],
      ['soak', soakScenario],
      ['dlq', deadLetterScenario],
      ['cluster', clusterScenario],
    ];
    for (const [name, scenario] of scenarios) if (!only || only.includes(name)) await scenario(context);
    const { postgres, redis: redisVersion } = await versions(redis.url);
    const report: Report = {
      mode: quick ? 'quick' : 'full',
      startedAt,
      machine: machine(postgres, redisVersion),
      rows: context.rows,
      peakRssMiB: context.rss,
      notes: context.notes,
    };
    writeReport(report, path.join(ROOT, 'bench', quick ? 'tmp' : ''));
    console.log(markdown(report));
  } finally {
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
