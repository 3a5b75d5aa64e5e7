// Scenario 7: the pipeline on a Redis Cluster of three primaries beside one node, in the same run: the
// drain of a backlog by two workers, and the time from a product's 201 to its stock record. Every key the
// stream uses is in one slot (hash-tagged names), so a Cluster adds its client's routing, not capacity.
import { randomUUID } from 'node:crypto';
import { createLogger, createRedisClient, redisConnectionOf } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { PrivateCluster } from '../infra';
import type { Row } from '../report';
import { round } from '../stats';
import type { Context } from './context';
import { ratio } from './context';
import { drainWithWorkers, events } from './drain';
import type { DrainRedis } from './drain';
import { endToEnd } from './end-to-end';

function onCluster(cluster: PrivateCluster): DrainRedis {
  const env = cluster.env(`bench-${randomUUID().slice(0, 8)}`);
  return {
    env,
    connect: async () => {
      const connection = redisConnectionOf({
        REDIS_CLUSTER_NODES: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
        REDIS_TLS: false,
        ...(env.PRODUCT_STREAM ? { PRODUCT_STREAM: env.PRODUCT_STREAM } : {}),
        ...(env.DEAD_LETTER_STREAM ? { DEAD_LETTER_STREAM: env.DEAD_LETTER_STREAM } : {}),
      });
      const client: RedisClient = createRedisClient({
        url: connection,
        logger: createLogger('bench', 'silent'),
        name: 'bench',
        failFast: false,
      });
      await client.connect();
      return client;
    },
  };
}

/** The value of a row the end to end pushed last with this figure. */
const lastValue = (rows: Row[], figure: string) => [...rows].reverse().find((row) => row.figure === figure)?.value ?? null;

export async function clusterScenario(context: Context): Promise<void> {
  const cluster = await PrivateCluster.start();
  try {
    const batch = events(context.sizes.drainEvents);
    context.log(`Cluster: drain of ${batch.length} events by 2 workers, one node`);
    const oneNode = await drainWithWorkers(context, batch, 2, ' (Cluster scenario), one node');
    context.log(`Cluster: drain of ${batch.length} events by 2 workers, a Cluster of three primaries`);
    const onThree = await drainWithWorkers(context, batch, 2, ' (Cluster scenario), a Cluster', {}, onCluster(cluster));

    context.log('Cluster: end to end on one node, then on the Cluster');
    const scratch: Row[] = [];
    const measured = { ...context, rows: scratch };
    await endToEnd(measured, { label: 'one node: ', env: {}, held: false });
    await endToEnd(measured, { label: 'Cluster: ', env: onCluster(cluster).env, held: false });
    const figure = (label: string, quantile: string) => lastValue(scratch, `${label}201 → record, ${quantile}`);
    // The end to end files its peak RSS under scenario 4: these runs are this scenario's.
    for (const label of ['one node', 'Cluster']) {
      const key = `4 end to end, ${label}`;
      context.rss[`7 Redis Cluster, end to end, ${label}`] = context.rss[key] ?? {};
      delete context.rss[key];
    }

    const row = (figure: string, value: number | null, baseline: number | null, unit: string): Row => ({
      scenario: '7 Redis Cluster',
      figure,
      value: round(value, 2),
      unit,
      baseline: { name: 'one node, same run', value: round(baseline, 2) },
      ratio: ratio(value, baseline),
    });
    context.rows.push(
      row('drain events/s, 2 workers, Cluster of 3 primaries', onThree, oneNode, ''),
      row('201 → record p50, Cluster of 3 primaries', figure('Cluster: ', 'p50'), figure('one node: ', 'p50'), 'ms'),
      row('201 → record p99, Cluster of 3 primaries', figure('Cluster: ', 'p99'), figure('one node: ', 'p99'), 'ms'),
    );
  } finally {
    await cluster.stop();
  }
}
