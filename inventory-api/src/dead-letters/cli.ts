// `npm run dlq -- <command>`: the dead-letter stream, for operators. Exit codes: 0 done, 1 an id is unknown
// (or its letter cannot be replayed), 2 the command is wrong (nothing done), 3 Redis does not answer,
// 4 anything else went wrong.
import { parseArgs } from 'node:util';
import { createClient } from '@redis/client';
import { z } from 'zod';
import { DeadLetterId } from '@stockstream/contracts';
import type { DeadLetter } from '@stockstream/contracts';
import { ConfigError, envRedisUrl, envStreamNames, errorMessage, maskUrl, parseConfig } from '@stockstream/platform';
import type { RedisClient } from '@stockstream/platform';
import { ConsumptionSwitch, DeadLetterQueue } from '@stockstream/inventory-core';

export const EXIT = { ok: 0, unknownId: 1, usage: 2, redisDown: 3, failed: 4 } as const;

const USAGE = `usage: npm run dlq -- <command>

  list [--reason R] [--type T] [--limit N] [--json]   the dead letters, oldest first
  show <id>                                          one, whole, with its event
  replay <id...> | replay --all [--reason R]         back on the product stream (same event id), out of here
  purge <id...> | purge --all --yes                  delete them
  stats [--json]                                     counts by reason and type, age of the oldest
  watch                                              follow new dead letters live, a line each (Ctrl-C stops)
  pause [--reason R] | resume                        stop every worker reading the product stream, or let them again

environment: REDIS_URL, DEAD_LETTER_STREAM (products.events.dlq), PRODUCT_STREAM (products.events)`;

const CliConfig = z.object({
  REDIS_URL: envRedisUrl,
  DEAD_LETTER_STREAM: envStreamNames.DEAD_LETTER_STREAM,
  PRODUCT_STREAM: envStreamNames.PRODUCT_STREAM,
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
  stop: AbortSignal;
}

async function run(queue: DeadLetterQueue, command: string, args: string[], io: Io, context: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      type: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
  });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number of at least 1');
  // Every id is checked before anything is done: a typo among them does nothing rather than half of it.
  const malformed = positionals.filter((id) => !DeadLetterId.safeParse(id).success);
  if (['show', 'replay', 'purge'].includes(command) && malformed.length > 0) {
    throw new UsageError(
      `${malformed.map((id) => `"${id}"`).join(', ')}: not a dead-letter id (a stream entry id like 1700000000000-0); nothing done`,
    );
  }
  const ids = () => {
    if (values.all && positionals.length > 0) throw new UsageError(`${command}: give ids or --all, not both`);
    if (!values.all && positionals.length === 0) throw new UsageError(`${command}: give at least one id, or --all`);
    return positionals;
  };
  const reportUnknown = (unknown: string[]) => {
    for (const id of unknown) io.err(`no dead letter ${id}`);
    return unknown.length > 0 ? EXIT.unknownId : EXIT.ok;
  };

  switch (command) {
    case 'list': {
      const letters = await queue.list({ reason: values.reason, type: values.type, limit });
      if (values.json) io.out(JSON.stringify(letters, null, 2));
      else if (letters.length === 0) io.out('the dead-letter stream is empty (for these filters)');
      else table(letters).forEach((line) => io.out(line));
      return EXIT.ok;
    }
    case 'show': {
      if (positionals.length !== 1) throw new UsageError('show takes one id');
      const letter = await queue.get(positionals[0]!);
      if (!letter) return reportUnknown([positionals[0]!]);
      io.out(JSON.stringify(letter, null, 2));
      return EXIT.ok;
    }
    case 'replay': {
      const chosen = ids();
      const outcomes = values.all ? await queue.replayAll({ reason: values.reason }) : await queue.replay(chosen);
      for (const outcome of outcomes) {
        if (outcome.outcome === 'replayed') io.out(`replayed ${outcome.id} as ${queue.productStream} ${outcome.replayedAs}`);
        else if (outcome.outcome === 'unreplayable') io.err(`not replayed ${outcome.id}: ${outcome.problem} (it stays; purge it)`);
        else io.err(`no dead letter ${outcome.id}`);
      }
      if (values.all && outcomes.length === 0) io.out('nothing to replay');
      return outcomes.every((outcome) => outcome.outcome === 'replayed') ? EXIT.ok : EXIT.unknownId;
    }
    case 'purge': {
      const chosen = ids();
      if (values.all) {
        if (!values.yes) throw new UsageError('purge --all deletes every dead letter: add --yes');
        io.out(`purged ${await queue.purgeAll()} dead letters`);
        return EXIT.ok;
      }
      const removed = await queue.purge(chosen);
      for (const id of removed) io.out(`purged ${id}`);
      return reportUnknown(chosen.filter((id) => !removed.includes(id)));
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
      const consumption = new ConsumptionSwitch(context.redis, queue.productStream);
      const state = command === 'pause' ? await consumption.pause({ reason: values.reason, by: 'cli' }) : await consumption.resume();
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
  const redis: RedisClient = createClient({ url: config.REDIS_URL, RESP: 2, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    io.err(`Redis does not answer at ${maskUrl(config.REDIS_URL)}: ${errorMessage(error)}`);
    return EXIT.redisDown;
  }
  try {
    const reader = async () => {
      const client: RedisClient = redis.duplicate();
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    return await run(new DeadLetterQueue(redis, config.DEAD_LETTER_STREAM, config.PRODUCT_STREAM), command, args, io, {
      redis,
      reader,
      stop,
    });
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    if (redis.isOpen) await redis.close();
  }
}

if (require.main === module) {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  dlqCli(process.argv.slice(2), process.env, { out: (text) => console.log(text), err: (text) => console.error(text) }, stop.signal).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`dlq: ${errorMessage(error)}`);
      process.exit(EXIT.failed);
    },
  );
}
