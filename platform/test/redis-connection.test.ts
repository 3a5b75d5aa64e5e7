import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, describeRedis, hashTagOf, parseConfig, redisConnectionOf } from '@stockstream/platform';
import { z } from 'zod';
import { envRedisConnection } from '../src/redis-connection';

const config = (env: Record<string, string>) => parseConfig(z.object(envRedisConnection), env);

test('a plain URL is the connection; REDIS_TLS=true makes it rediss://; credentials from the variables', () => {
  expect(redisConnectionOf(config({}))).toEqual({ url: 'redis://127.0.0.1:6379' });
  expect(
    redisConnectionOf(config({ REDIS_URL: 'redis://cache:6380', REDIS_TLS: 'true', REDIS_USERNAME: 'worker', REDIS_PASSWORD: 'pw' })),
  ).toEqual({
    url: 'rediss://cache:6380',
    username: 'worker',
    password: 'pw',
  });
});

test('a CA file is read when TLS is on', () => {
  const file = path.join(os.tmpdir(), `ca-${process.pid}.crt`);
  fs.writeFileSync(file, '-----BEGIN CERTIFICATE-----\n');
  try {
    expect(redisConnectionOf(config({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: file })).ca).toContain('BEGIN CERTIFICATE');
  } finally {
    fs.rmSync(file);
  }
});

test('contradictions stop the process with one message naming the variables, and no secret', () => {
  const contradictions = () =>
    redisConnectionOf(
      config({ REDIS_URL: 'redis://user:s3cret@cache:6379', REDIS_PASSWORD: 'other-s3cret', REDIS_TLS_CA_FILE: '/nowhere/ca.crt' }),
    );
  expect(contradictions).toThrow(ConfigError);
  expect(contradictions).toThrow(/REDIS_URL holds credentials and REDIS_USERNAME\/REDIS_PASSWORD give them again/);
  expect(contradictions).toThrow(/REDIS_TLS_CA_FILE is set but TLS is off/);
  expect(contradictions).not.toThrow(/s3cret/);
  expect(() => redisConnectionOf(config({ REDIS_TLS: 'true', REDIS_TLS_CA_FILE: '/nowhere/ca.crt' }))).toThrow(
    /cannot read \/nowhere\/ca.crt \(ENOENT\)/,
  );
});

test('a password in the environment is masked in a config error', () => {
  let message = '';
  try {
    config({ REDIS_PASSWORD: `s3cret-${'x'.repeat(1000)}` });
  } catch (error) {
    message = String(error);
  }
  expect(message).toContain('REDIS_PASSWORD');
  expect(message).not.toContain('s3cret');
});

const sentinels = { REDIS_SENTINELS: 'sentinel-a:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'mymaster' };
const tagged = { PRODUCT_STREAM: '{products}.events', DEAD_LETTER_STREAM: '{products}.events.dlq' };
const withNames = (env: Record<string, string>) => ({
  ...config(env),
  ...(env.PRODUCT_STREAM ? { PRODUCT_STREAM: env.PRODUCT_STREAM } : {}),
  ...(env.DEAD_LETTER_STREAM ? { DEAD_LETTER_STREAM: env.DEAD_LETTER_STREAM } : {}),
});

test("Sentinel: the sentinels, the primary's name, its own login; TLS and the data login apply to the nodes", () => {
  expect(
    redisConnectionOf(
      config({ ...sentinels, REDIS_SENTINEL_PASSWORD: 'spw', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' }),
    ),
  ).toEqual({
    sentinel: {
      nodes: [
        { host: 'sentinel-a', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      master: 'mymaster',
      password: 'spw',
    },
    tls: true,
    username: 'app',
    password: 'pw',
  });
  expect(describeRedis(redisConnectionOf(config(sentinels)))).toBe('the primary "mymaster" of the sentinels sentinel-a:26379,[::1]:26380');
});

test('Cluster: the nodes, and names that share a hash tag', () => {
  expect(redisConnectionOf(withNames({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', ...tagged }))).toEqual({
    cluster: {
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
    },
    tls: false,
  });
});

test('a Cluster refuses stream names whose keys would fall in different slots, and says what to set', () => {
  const untagged = () =>
    redisConnectionOf(
      withNames({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', PRODUCT_STREAM: 'products.events', DEAD_LETTER_STREAM: 'products.events.dlq' }),
    );
  expect(untagged).toThrow(/PRODUCT_STREAM \("products.events"\) and DEAD_LETTER_STREAM \("products.events.dlq"\) must carry a hash tag/);
  expect(untagged).toThrow(/PRODUCT_STREAM=\{products\}.events and DEAD_LETTER_STREAM=\{products\}.events.dlq/);
  expect(() =>
    redisConnectionOf(
      withNames({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', PRODUCT_STREAM: '{a}.events', DEAD_LETTER_STREAM: '{b}.events.dlq' }),
    ),
  ).toThrow(/carry different hash tags/);
  // One node and Sentinel take any names: existing deployments need no change.
  expect(() =>
    redisConnectionOf(withNames({ ...sentinels, PRODUCT_STREAM: 'products.events', DEAD_LETTER_STREAM: 'x.dlq' })),
  ).not.toThrow();
  expect(hashTagOf('{products}.events:epoch')).toBe('products');
  expect(hashTagOf('{}.events')).toBeUndefined();
  expect(hashTagOf('a{b')).toBeUndefined();
});

test('two topologies, or half of one, stop the process with one message naming the variables', () => {
  const message = (env: Record<string, string>) => {
    try {
      redisConnectionOf(withNames(env));
      return '';
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return String(error);
    }
  };
  expect(message({ REDIS_URL: 'redis://cache:6379', REDIS_CLUSTER_NODES: 'n1:7000', ...tagged })).toMatch(
    /REDIS_URL and REDIS_CLUSTER_NODES are both set: give one topology/,
  );
  expect(message({ ...sentinels, REDIS_CLUSTER_NODES: 'n1:7000', ...tagged })).toMatch(
    /REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set/,
  );
  expect(message({ REDIS_SENTINELS: 's:26379' })).toMatch(/REDIS_SENTINELS is set without REDIS_SENTINEL_MASTER/);
  expect(message({ REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 'secret-pw' })).toMatch(
    /REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD are set without REDIS_SENTINELS/,
  );
  expect(message({ REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 'secret-pw' })).not.toMatch(/secret-pw/);
  expect(() => config({ REDIS_CLUSTER_NODES: 'n1:7000,n2' })).toThrow(/REDIS_CLUSTER_NODES: "n2" is not host:port/);
});

test('an empty variable counts as unset, so that a compose file can switch topology with REDIS_URL=', () => {
  expect(
    redisConnectionOf(withNames({ REDIS_URL: '', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'm', REDIS_PASSWORD: '' })),
  ).toEqual({
    sentinel: { nodes: [{ host: 's', port: 26379 }], master: 'm' },
    tls: false,
  });
  expect(redisConnectionOf(config({ REDIS_SENTINELS: '', REDIS_CLUSTER_NODES: '' }))).toEqual({ url: 'redis://127.0.0.1:6379' });
});
