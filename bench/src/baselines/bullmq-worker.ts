// BullMQ baseline worker (its own process): each job does the same idempotent insert as our worker does
// for product.created, in one transaction.
import { Worker } from 'bullmq';
import { Pool } from 'pg';

const [redisUrl = '', databaseUrl = '', queueName = '', concurrencyText = '8'] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const pool = new Pool({ connectionString: databaseUrl, max: Math.min(concurrency, 10) });
const redis = new URL(redisUrl);

interface Job {
  eventId: string;
  productId: string;
  sku: string;
  name: string;
}

const worker = new Worker<Job>(
  queueName,
  async (job) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const recorded = await client.query(
        "INSERT INTO processed_events (event_id, type, stream_id) VALUES ($1, 'product.created', $2) ON CONFLICT (event_id) DO NOTHING",
        [job.data.eventId, job.id],
      );
      if (recorded.rowCount === 1) {
        await client.query(
          'INSERT INTO inventory_items (product_id, sku, name, quantity, updated_at) VALUES ($1, $2, $3, 100, now()) ON CONFLICT (product_id) DO NOTHING',
          [job.data.productId, job.data.sku, job.data.name],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  },
  { connection: { host: redis.hostname, port: Number(redis.port) }, concurrency, removeOnComplete: { count: 0 } },
);
worker.on('error', () => undefined);
process.send?.('ready');
process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
