import type { ProductEvent } from '@stockstream/contracts';
import { SpanKind, SpanStatusCode, activeIn, contextFrom, errorMessage, spanContextFrom, traceFields, tracer } from '@stockstream/platform';
import type { Span } from '@stockstream/platform';
import type { Result } from './event-result';

/**
 * The spans of one batch, following OpenTelemetry's messaging conventions: the batch is a CONSUMER span
 * of its own (a new trace) linked to every event's producer, and the queries run inside it; each event
 * is a CONSUMER span in its producer's trace (the request that caused it, from the entry's traceparent),
 * linked to the batch, from the apply's start to its commit. So one product's life, request to stock
 * row, is one trace, and a batch shows every request it served.
 */
export class BatchTrace {
  private readonly batch: Span;
  private readonly started = new Date();
  private events: Span[] = [];

  constructor(
    private readonly items: { event: ProductEvent; streamId: string }[],
    private readonly where: { stream: string; group: string; consumer: string },
  ) {
    const links = items.flatMap(({ event }) => {
      const producer = spanContextFrom(event.traceparent);
      return producer ? [{ context: producer }] : [];
    });
    this.batch = tracer().startSpan(`process ${where.stream}`, {
      kind: SpanKind.CONSUMER,
      root: true,
      links,
      startTime: this.started,
      attributes: { ...this.messaging(), 'messaging.batch.message_count': items.length },
    });
  }

  /** Runs the batch's work inside its span: its queries are its children. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return activeIn(this.batch, work);
  }

  /** Ends every event's span with its outcome, then the batch's. */
  finish(results: Result[]): void {
    const ended = new Date();
    this.events = this.items.map(({ event, streamId }, i) => {
      const span = tracer().startSpan(
        `process ${this.where.stream}`,
        {
          kind: SpanKind.CONSUMER,
          startTime: this.started,
          links: [{ context: this.batch.spanContext() }],
          attributes: {
            ...this.messaging(),
            'messaging.message.id': streamId,
            'stockstream.event.id': event.id,
            'stockstream.event.type': event.type,
            'stockstream.product.id': event.data.productId,
          },
        },
        contextFrom({ traceparent: event.traceparent }),
      );
      const result = results[i] ?? { held: true };
      if ('applied' in result) span.setAttribute('stockstream.outcome', result.applied);
      else if ('held' in result) span.setAttribute('stockstream.outcome', 'held');
      else span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(result.failed) });
      span.end(ended);
      return span;
    });
    this.batch.end(ended);
  }

  /** trace_id and span_id of an event's span, for its log lines. */
  fieldsOf(index: number): { trace_id?: string; span_id?: string } {
    return traceFields(this.events[index]);
  }

  private messaging() {
    return {
      'messaging.system': 'redis',
      'messaging.destination.name': this.where.stream,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'xreadgroup',
      'messaging.consumer.group.name': this.where.group,
      'messaging.client.id': this.where.consumer,
    };
  }
}
