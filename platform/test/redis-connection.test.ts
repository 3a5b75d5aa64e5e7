import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig, redisConnectionOf } from '@stockstream/platform';
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
