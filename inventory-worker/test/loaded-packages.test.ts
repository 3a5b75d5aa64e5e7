// What a worker process loads stays in its memory for as long as it runs (the source of every module, its
// compiled code): the worker serves no Express app, so it must load none of the APIs' HTTP stack, nor
// node-redis' Redis Stack modules (docs/performance.md, Memory), nor the products database's client or the
// migration tooling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { productCreated, publish } from './support/events';
import { WorkerProcesses } from './support/worker-processes';

const fixture = new WorkerProcesses();

beforeAll(() => fixture.setUp());
afterAll(() => fixture.tearDown());

test('a worker that has applied an event has loaded no Express, helmet, Swagger UI, Redis Stack module, products client or migration tooling', async () => {
  const listFile = path.join(os.tmpdir(), `loaded-packages-${process.pid}-${Date.now()}.json`);
  const worker = await fixture.start('loading-worker', {
    NODE_OPTIONS: `--require "${path.join(__dirname, 'support', 'record-loaded-packages.cjs')}"`,
    LOADED_PACKAGES_FILE: listFile,
    BLOCK_MS: '200',
  });
  const event = productCreated();
  await publish(fixture.redis, fixture.streams.stream, [event]);
  await worker.waitForLine(new RegExp(`"event handled".*${event.id}|${event.id}.*"event handled"`));
  worker.child.kill('SIGTERM');
  await worker.exited;
  // Written by the preload's exit handler, so there once the process has exited.
  const loaded = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  fs.rmSync(listFile, { force: true });

  // What it needs, so that the list is the worker's.
  expect(loaded).toEqual(expect.arrayContaining(['@prisma/client', '@redis/client', 'pg', 'winston', 'zod', 'prisma:generated/inventory']));
  for (const unwanted of [
    'express',
    'helmet',
    'swagger-ui-express',
    '@asteasolutions/zod-to-openapi',
    '@redis/search',
    '@redis/json',
    'prisma:generated/product',
    'prisma:migrate',
    '@prisma/schema-engine-wasm',
  ])
    expect(loaded).not.toContain(unwanted);
});
