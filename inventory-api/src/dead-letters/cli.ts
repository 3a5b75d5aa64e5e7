// `npm run dlq -- <command>`: the dead-letter stream, for operators. Exit codes: 0 done, 1 an id is unknown
// (or its letter cannot be replayed, or a group job is running), 2 the command is wrong (nothing done),
// 3 Redis does not answer, 4 anything else went wrong, 5 the inventory database (the audit) does not answer.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CauseId, DeadLetterId, DeadLetterListQuery } from '@stockstream/contracts';
import type { DeadLetter, DeadLetterJob } from '@stockstream/contracts';
import {
  ConfigError,
  cliActor,
  createLogger,
  envPostgresUrl,
  envRedisConnection,
  envStreamNames,
  errorMessage,
  exitWhenFlushed,
  createRedisClient,
  describeRedis,
  maskUrl,
  parseConfig,
  redisConnectionOf,
} from '@stockstream/platform';
import type { RedisClient, RedisConnection } from '@stockstream/platform';
import { DeadLetterQueue } from '@stockstream/inventory-core';
import type { ReplayOutcome } from '@stockstream/inventory-core';
import { DATABASES } from '@stockstream/prisma';
import { createInventoryDb } from '@stockstream/prisma/inventory';
import type { InventoryDb } from '@stockstream/prisma/inventory';
import type { AdminActionEntry } from '../admin/admin-audit';
import { pauseConsumption, resumeConsumption } from '../admin/audited-actions';
import { JobRunningError, NoSuchCauseError } from '../admin/cause-jobs';
import { inventoryAdmin } from '../admin/inventory-admin';
import type { InventoryAdmin } from '../admin/inventory-admin';

export const EXIT = { ok: 0, unknownId: 1, usage: 2, redisDown: 3, failed: 4, databaseDown: 5 } as const;

const USAGE = `usage: npm run dlq -- <command>

  list [filters] [--oldest] [--limit N] [--cursor C] [--json]
                                       a page of dead letters, newest first, and the cursor of the next
  list [filters] --all [--json]        every one, page after page (streamed: one line, or one JSON object, each)
       filters: --reason R --type T --product-id P --event-id E --q TEXT --cause ID --since ISO --until ISO
  show <id>                            one, whole, with its event
  groups [--json]                      the causes (reason and error fingerprint), largest first
  replay <id...> | replay --all [filters] | replay --group ID
                                       back on the product stream (same event id), out of here
  purge <id...> | purge --all --yes | purge --group ID --yes
                                       delete them
  stats [--json]                       counts by reason and type, age of the oldest
  watch                                follow new dead letters live, a line each (Ctrl-C stops)
  pause [--reason R] | resume          stop every worker reading the product stream, or let them again
  reindex                              rebuild the counts and causes from the stream

Replay, purge, pause and resume are audited in the inventory database (actor cli:<user>).

environment: REDIS_URL, or REDIS_SENTINELS with REDIS_SENTINEL_MASTER, or REDIS_CLUSTER_NODES (REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS, REDIS_TLS_CA_FILE), DEAD_LETTER_STREAM (products.events.dlq), PRODUCT_STREAM (products.events),
INVENTORY_DATABASE_URL (the audit and group jobs)`;

const CliConfig = z.object({
  ...envRedisConnection,
  DEAD_LETTER_STREAM: envStreamNames.DEAD_LETTER_STREAM,
  PRODUCT_STREAM: envStreamNames.PRODUCT_STREAM,
  INVENTORY_DATABASE_URL: envPostgresUrl(DATABASES.inventory.defaultUrl),
});

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

function table(letters: DeadLetter[]): string[] {
  const rows = [
    ['DLQ ID', 'ORIGINAL ID', 'TYPE', 'REASON', 'DELIVERIES', 'FAILED AT', 'ERROR'],
    ...letters.map((letter) => [
      letter.id,
      letter.originalId,
      letter.type ?? '-',
      letter.reason,
      String(letter.deliveries),
      letter.failedAt,
      letter.error.length > 60 ? `${letter.error.slice(0, 57)}...` : letter.error,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

/** One readable line per dead letter, for watch. */
const line = (letter: DeadLetter) =>
  [
    letter.failedAt,
    letter.reason,
    letter.type ?? '-',
    letter.eventId ?? '-',
    letter.id,
    letter.error.replaceAll('\n', ' ').slice(0, 200),
  ].join('  ');

interface CliContext {
  redis: RedisClient;
  reader: () => Promise<RedisClient>;
  /** The inventory database, for the audit and group jobs: opened on first use, refused with exit 5 if it does not answer. */
  admin: () => Promise<InventoryAdmin>;
  actor: string;
  stop: AbortSignal;
}

class DatabaseDownError extends Error {}

const ListFilter = DeadLetterListQuery.pick({
  reason: true,
  type: true,
  productId: true,
  eventId: true,
  q: true,
  cause: true,
  since: true,
  until: true,
});

function filterOf(values: Record<string, string | boolean | undefined>): z.infer<typeof ListFilter> {
  const given = {
    reason: values.reason,
    type: values.type,
    productId: values['product-id'],
    eventId: values['event-id'],
    q: values.q,
    cause: values.cause,
    since: values.since,
    until: values.until,
  };
  const parsed = ListFilter.safeParse(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)));
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => `--${String(issue.path[0])}: ${issue.message}`).join('; '));
  return parsed.data;
}

async function run(queue: DeadLetterQueue, command: string, args: string[], io: Io, context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      type: { type: 'string' },
      'product-id': { type: 'string' },
      'event-id': { type: 'string' },
      q: { type: 'string' },
      cause: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      group: { type: 'string' },
      cursor: { type: 'string' },
      limit: { type: 'string' },
      oldest: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
  });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit takes a whole number from 1 to 500');
  if (values.cursor !== undefined && !DeadLetterId.safeParse(values.cursor).success)
    throw new UsageError('--cursor takes the cursor a list printed');
  if (values.group !== undefined && !CauseId.safeParse(values.group).success)
    throw new UsageError('--group takes a cause id (12 hex digits, from groups)');
  // Every id is checked before anything is done: a typo among them does nothing rather than half of it.
  const malformed = positionals.filter((id) => !DeadLetterId.safeParse(id).success);
  if (['show', 'replay', 'purge'].includes(command) && malformed.length > 0) {
    throw new UsageError(
      `${malformed.map((id) => `"${id}"`).join(', ')}: not a dead-letter id (a stream entry id like 1700000000000-0); nothing done`,
    );
  }
  const ids = () => {
    const ways = [positionals.length > 0, values.all, values.group !== undefined].filter(Boolean).length;
    if (ways > 1) throw new UsageError(`${command}: give ids, --all or --group, one of them`);
    if (ways === 0) throw new UsageError(`${command}: give at least one id, --all or --group`);
    return positionals;
  };
  const reportUnknown = (unknown: string[]) => {
    for (const id of unknown) io.err(`no dead letter ${id}`);
    return unknown.length > 0 ? EXIT.unknownId : EXIT.ok;
  };
  const audited = async (action: string, entry: Omit<AdminActionEntry, 'actor' | 'action'>) =>
    (await context.admin()).audit.record({ actor: context.actor, action, ...entry });

  switch (command) {
    case 'list': {
      const filter = filterOf(values);
      const order = values.oldest ? 'oldest' : 'newest';
      if (values.all) {
        let count = 0;
        for await (const letter of queue.each({ ...filter, order })) {
          io.out(values.json ? JSON.stringify(letter) : line(letter));
          count++;
        }
        if (count === 0 && !values.json) io.out('the dead-letter stream is empty (for these filters)');
        return EXIT.ok;
      }
      const page = await queue.list({ ...filter, order, limit, cursor: values.cursor });
      if (values.json) io.out(JSON.stringify(page, null, 2));
      else {
        if (page.items.length === 0) io.out('no dead letters on this page (for these filters)');
        else table(page.items).forEach((row) => io.out(row));
        if (page.nextCursor) io.out(`more: --cursor ${page.nextCursor}`);
      }
      return EXIT.ok;
    }
    case 'show': {
      if (positionals.length !== 1) throw new UsageError('show takes one id');
      const letter = await queue.get(positionals[0]!);
      if (!letter) return reportUnknown([positionals[0]!]);
      io.out(JSON.stringify(letter, null, 2));
      return EXIT.ok;
    }
    case 'groups': {
      const groups = await queue.groups();
      if (values.json) io.out(JSON.stringify(groups, null, 2));
      else if (groups.length === 0) io.out('no dead letters');
      else for (const group of groups) io.out(`${group.id}  ${String(group.count).padStart(7)}  ${group.reason}  ${group.fingerprint}`);
      return EXIT.ok;
    }
    case 'replay':
    case 'purge': {
      const chosen = ids();
      const admin = await context.admin();
      if (values.group !== undefined) {
        if (command === 'purge' && !values.yes) throw new UsageError('purge --group deletes every letter of the cause: add --yes');
        return groupJob(admin, command, values.group, context.actor, io);
      }
      if (command === 'purge') {
        if (values.all) {
          if (!values.yes) throw new UsageError('purge --all deletes every dead letter: add --yes');
          const purged = await queue.purgeAll();
          await audited('dead-letter.purge-all', { count: purged, outcome: 'ok' });
          io.out(`purged ${purged} dead letters`);
          return EXIT.ok;
        }
        const removed = await queue.purge(chosen);
        for (const id of removed) io.out(`purged ${id}`);
        await audited('dead-letter.purge', {
          target: chosen.join(' '),
          count: removed.length,
          outcome: removed.length === chosen.length ? 'ok' : 'partial',
        });
        return reportUnknown(chosen.filter((id) => !removed.includes(id)));
      }
      let replayed = 0;
      let failed = 0;
      const report = (outcome: ReplayOutcome) => {
        if (outcome.outcome === 'replayed') {
          replayed++;
          io.out(`replayed ${outcome.id} as ${queue.productStream} ${outcome.replayedAs}`);
          return;
        }
        failed++;
        if (outcome.outcome === 'unreplayable') io.err(`not replayed ${outcome.id}: ${outcome.problem} (it stays; purge it)`);
        else io.err(`no dead letter ${outcome.id}`);
      };
      if (values.all) for await (const outcome of queue.replayEach(filterOf(values))) report(outcome);
      else for (const outcome of await queue.replay(chosen)) report(outcome);
      await audited(values.all ? 'dead-letter.replay-all' : 'dead-letter.replay', {
        target: values.all ? JSON.stringify(filterOf(values)) : chosen.join(' '),
        count: replayed,
        outcome: failed === 0 ? 'ok' : 'partial',
      });
      if (values.all && replayed + failed === 0) io.out('nothing to replay');
      return failed === 0 ? EXIT.ok : EXIT.unknownId;
    }
    case 'stats': {
      const stats = await queue.stats();
      if (values.json) io.out(JSON.stringify(stats, null, 2));
      else {
        io.out(`dead letters: ${stats.total}`);
        for (const [reason, count] of Object.entries(stats.byReason)) io.out(`  reason ${reason}: ${count}`);
        for (const [type, count] of Object.entries(stats.byType)) io.out(`  type ${type}: ${count}`);
        if (stats.oldestFailedAt) io.out(`oldest: ${stats.oldestFailedAt} (${stats.oldestAgeSeconds} s ago)`);
      }
      return EXIT.ok;
    }
    case 'reindex': {
      const letters = await queue.reindex();
      io.out(letters < 0 ? 'another reindex is running' : `indexed ${letters} dead letters`);
      return EXIT.ok;
    }
    case 'watch': {
      const reader = await context.reader();
      try {
        // Said once the start is fixed: a letter added after the line is printed is never missed.
        await queue.watch(
          reader,
          (letter) => io.out(line(letter)),
          context.stop,
          () => io.out(`watching ${queue.deadLetterStream} for new dead letters (Ctrl-C to stop)`),
        );
      } finally {
        if (reader.isOpen) await reader.close();
      }
      return EXIT.ok;
    }
    case 'pause':
    case 'resume': {
      if (positionals.length > 0) throw new UsageError(`${command} takes no ids`);
      const admin = await context.admin();
      const state =
        command === 'pause' ? await pauseConsumption(admin, context.actor, values.reason) : await resumeConsumption(admin, context.actor);
      io.out(
        state.paused
          ? `consumption of ${queue.productStream} paused since ${state.at} by ${state.by}${state.reason ? `: ${state.reason}` : ''}; workers hold within CLAIM_INTERVAL_MS + BLOCK_MS`
          : `consumption of ${queue.productStream} resumed`,
      );
      return EXIT.ok;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  }
}

/** A group job run here, to its end, with a line of progress per page. */
async function groupJob(admin: InventoryAdmin, kind: 'replay' | 'purge', cause: string, actor: string, io: Io): Promise<number> {
  let job: DeadLetterJob;
  try {
    job = await admin.jobs.start(kind, cause, actor);
  } catch (error) {
    if (error instanceof NoSuchCauseError) {
      io.err(`no dead letters of cause ${cause}`);
      return EXIT.unknownId;
    }
    if (error instanceof JobRunningError) {
      io.err(`${error.message}: nothing done; try again when it has finished`);
      return EXIT.unknownId;
    }
    throw error;
  }
  io.out(`job ${job.id}: ${kind} of ${job.total} dead letters of cause ${cause}`);
  await admin.jobs.idle();
  const done = await admin.jobs.get(job.id);
  io.out(
    `job ${job.id} ${done?.status ?? 'gone'}: ${done?.succeeded ?? 0} ${kind === 'purge' ? 'purged' : 'replayed'}, ${done?.skipped ?? 0} skipped`,
  );
  return done?.status === 'done' && done.skipped === 0 ? EXIT.ok : EXIT.unknownId;
}

export async function dlqCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: Io,
  stop: AbortSignal = new AbortController().signal,
): Promise<number> {
  const [command = '', ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return EXIT.ok;
  }
  let config: z.infer<typeof CliConfig>;
  try {
    config = parseConfig(CliConfig, env);
  } catch (error) {
    io.err(error instanceof ConfigError ? error.message : errorMessage(error));
    return EXIT.usage;
  }
  let connection: RedisConnection;
  try {
    connection = redisConnectionOf(config);
  } catch (error) {
    io.err(errorMessage(error));
    return EXIT.usage;
  }
  const quiet = createLogger('dlq', 'silent');
  const connect = async (commandTimeoutMs?: number): Promise<RedisClient> => {
    const client = createRedisClient({
      url: connection,
      logger: quiet,
      name: 'dlq',
      failFast: true,
      reconnect: false,
      ...(commandTimeoutMs ? { commandTimeoutMs } : {}),
    });
    await client.connect();
    return client;
  };
  let redis: RedisClient;
  try {
    redis = await connect();
  } catch (error) {
    io.err(`Redis does not answer at ${maskUrl(describeRedis(connection))}: ${errorMessage(error)}`);
    return EXIT.redisDown;
  }
  let db: InventoryDb | undefined;
  let opened: InventoryAdmin | undefined;
  try {
    // A client of its own for blocking reads, which would hold up every other command on a shared one.
    const reader = () => connect(5_000);
    const queue = new DeadLetterQueue(redis, config.DEAD_LETTER_STREAM, config.PRODUCT_STREAM);
    const admin = async () => {
      if (opened) return opened;
      db = createInventoryDb(config.INVENTORY_DATABASE_URL, { poolSize: 2 });
      try {
        await db.$queryRaw`SELECT 1`;
      } catch (error) {
        throw new DatabaseDownError(
          `the inventory database does not answer at ${maskUrl(config.INVENTORY_DATABASE_URL)} (actions are audited there): ${errorMessage(error).split('\n').at(-1)}`,
        );
      }
      opened = inventoryAdmin(
        { db, redis, logger: createLogger('dlq', 'warn') },
        {
          keys: [],
          deadLetterStream: config.DEAD_LETTER_STREAM,
          productStream: config.PRODUCT_STREAM,
          group: '',
          refreshSeconds: 0,
          secureCookie: false,
        },
      );
      return opened;
    };
    return await run(queue, command, args, io, { redis, reader, admin, actor: cliActor(), stop });
  } catch (error) {
    if (error instanceof DatabaseDownError) {
      io.err(`${error.message}; nothing done`);
      return EXIT.databaseDown;
    }
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    await db?.$disconnect();
    if (redis.isOpen) await redis.close();
  }
}

if (require.main === module) {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  dlqCli(process.argv.slice(2), process.env, { out: (text) => console.log(text), err: (text) => console.error(text) }, stop.signal).then(
    (code) => exitWhenFlushed(code),
    (error: unknown) => {
      console.error(`dlq: ${errorMessage(error)}`);
      exitWhenFlushed(EXIT.failed);
    },
  );
}
