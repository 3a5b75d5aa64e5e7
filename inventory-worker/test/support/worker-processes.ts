import type { RedisClient } from '@stockstream/platform';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import { createTestDatabase } from '@stockstream/prisma/testing';
import type { TestDatabase } from '@stockstream/prisma/testing';
import { connectTestRedis } from '../../../platform/test/support/redis-client';
import { spawnWorker, testStreams } from './worker';
import type { WorkerProcess } from './worker';

/**
 * A test's own database, streams and Redis connection, and the worker processes it starts on them; call
 * `setUp` in beforeAll and `tearDown` in afterAll (which kills what is still running and drops it all).
 */
export class WorkerProcesses {
  readonly streams = testStreams();
  readonly started: WorkerProcess[] = [];
  database!: TestDatabase;
  db!: InventoryDb;
  redis!: RedisClient;

  async setUp(): Promise<void> {
    this.database = await createTestDatabase('inventory');
    this.db = createInventoryDb(this.database.url, { poolSize: 2 });
    this.redis = await connectTestRedis({ failFast: false });
  }

  /** A worker process named `name` on this test's database and streams; env adds to or overrides its settings. */
  async start(name: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = await spawnWorker({
      INVENTORY_DATABASE_URL: this.database.url,
      PRODUCT_STREAM: this.streams.stream,
      DEAD_LETTER_STREAM: this.streams.deadLetterStream,
      CONSUMER_NAME: name,
      ...env,
    });
    this.started.push(worker);
    return worker;
  }

  async tearDown(): Promise<void> {
    for (const worker of this.started) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await Promise.all(this.started.map((worker) => worker.exited));
    await this.redis.del([this.streams.stream, this.streams.deadLetterStream]);
    await this.redis.close();
    await this.db.$disconnect();
    await this.database.drop();
  }
}
