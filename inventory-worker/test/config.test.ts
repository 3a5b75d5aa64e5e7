import { ConfigError } from '@stockstream/platform';
import { loadConfig } from '../src/config';

describe('worker configuration', () => {
  test('the defaults take a killed worker over within 15 s: claims every 2 s for entries idle 10 s', () => {
    const config = loadConfig({});
    expect(config.CLAIM_IDLE_MS + config.CLAIM_INTERVAL_MS).toBeLessThanOrEqual(15_000);
    expect(config.CONSUMER_NAME).toMatch(/-\d+-[0-9a-f]{6}$/);
  });

  test.each([
    [{ MAX_DELIVERIES: '1' }, 'MAX_DELIVERIES: must be at least 2: the retry budget'],
    [{ CLAIM_INTERVAL_MS: '10000' }, 'CLAIM_INTERVAL_MS: must be below CLAIM_IDLE_MS'],
    [{ CONSUMER_IDLE_MS: '5000' }, 'CONSUMER_IDLE_MS: must be above CLAIM_IDLE_MS'],
    [{ READ_STALL_MS: '3000' }, 'READ_STALL_MS: must be above BLOCK_MS + CLAIM_INTERVAL_MS'],
    [{ BATCHES_IN_FLIGHT: '5' }, 'DB_POOL_SIZE: must be above BATCHES_IN_FLIGHT'],
    [{ BATCHES_IN_FLIGHT: '0' }, 'BATCHES_IN_FLIGHT'],
    [{ TOMBSTONE_RETENTION_MS: '1000' }, 'TOMBSTONE_RETENTION_MS: must be at least PROCESSED_EVENTS_RETENTION_MS'],
  ])('%o is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
