import { toStreamFields } from '@stockstream/contracts';
import { SpanKind, activeIn, endWithError, spanContextFrom, tracer, tracingEnabled } from '@stockstream/platform';
import type { RedisClient, Span } from '@stockstream/platform';
import { epochKey } from './broker-epoch';
import type { LockedClaim } from './outbox-claim';

/**
 * Publishing: the claimed rows to the stream, in one pipeline, with the epoch marker read in the same
 * round trip. Answers their stream ids, and whether the marker is not the one recorded: then Redis lost
 * the stream and these entries went into a new one (the broker watch starts it over, and they are
 * published again with the rest).
 */
export async function publishClaim(
  redis: RedisClient,
  stream: string,
  claim: LockedClaim,
): Promise<{ streamIds: string[]; epochChanged: boolean }> {
  if (!tracingEnabled()) return publish(redis, stream, claim);
  const span = publishSpan(stream, claim);
  try {
    const published = await activeIn(span, () => publish(redis, stream, claim));
    span.end();
    return published;
  } catch (error) {
    endWithError(span, error);
    throw error;
  }
}

async function publish(
  redis: RedisClient,
  stream: string,
  { rows, epoch }: LockedClaim,
): Promise<{ streamIds: string[]; epochChanged: boolean }> {
  const pipeline = redis.multi().get(epochKey(stream));
  for (const row of rows) pipeline.xAdd(stream, '*', toStreamFields(row.envelope));
  const [seenEpoch, ...streamIds] = await pipeline.execAsPipeline();
  return { streamIds: streamIds.map(String), epochChanged: seenEpoch === null || String(seenEpoch) !== epoch };
}

/**
 * One PRODUCER span per pass (OpenTelemetry's messaging conventions for a batch send), linked to the
 * request of every event it publishes; the entries carry each request's traceparent on to the worker.
 */
function publishSpan(stream: string, { rows }: LockedClaim): Span {
  const links = rows.flatMap((row) => {
    const linked = spanContextFrom(row.envelope.traceparent);
    return linked ? [{ context: linked }] : [];
  });
  return tracer().startSpan(`send ${stream}`, {
    kind: SpanKind.PRODUCER,
    links,
    attributes: {
      'messaging.system': 'redis',
      'messaging.destination.name': stream,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'xadd',
      'messaging.batch.message_count': rows.length,
    },
  });
}
