import type { Logger } from '../logger';
import { errorMessage } from '../logger';

export type Dependency = 'database' | 'redis';

/** Prisma's codes for "cannot reach / timed out / pool exhausted / transaction could not start". */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028']);
/** What the driver adapter reports when the server is not there for us. */
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** Postgres SQLSTATEs: admin shutdown, crash shutdown, cannot connect now, too many connections, connection exceptions. */
const POSTGRES_UNAVAILABLE = /^(57P0[123]|53300|08\d\d\d)$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);
/** What pg (used directly on the hot paths) says, without a code, when its connection is gone or never came. */
const PG_UNAVAILABLE =
  /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;
const REDIS_ERRORS = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'SocketTimeoutError',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  cause?: unknown;
}

/** Which dependency an error says is away, or undefined when it is not an outage (a bug, a client's error). */
export function unavailableDependency(error: unknown): Dependency | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, meta, cause } = error as ErrorShape;
  // node-redis's errors keep the name "Error"; their classes say what they are.
  if (REDIS_ERRORS.has(error.constructor.name) || (typeof name === 'string' && REDIS_ERRORS.has(name))) return 'redis';
  if (typeof name === 'string' && name.startsWith('PrismaClient')) {
    const adapterCause = meta?.driverAdapterError?.cause;
    if (typeof code === 'string' && PRISMA_UNAVAILABLE.has(code)) return 'database';
    if (typeof adapterCause?.kind === 'string' && ADAPTER_UNAVAILABLE.has(adapterCause.kind)) return 'database';
    if (typeof adapterCause?.originalCode === 'string' && POSTGRES_UNAVAILABLE.test(adapterCause.originalCode)) return 'database';
    return name === 'PrismaClientInitializationError' ? 'database' : undefined;
  }
  if (typeof code === 'string' && (POSTGRES_UNAVAILABLE.test(code) || SOCKET_CODES.has(code))) return 'database';
  if (error instanceof Error && PG_UNAVAILABLE.test(error.message)) return 'database';
  return cause === undefined || cause === error ? undefined : unavailableDependency(cause);
}

/**
 * Tracks outages of what a service depends on, so that one outage is two log lines (when it starts and
 * when it ends, with the number of requests refused meanwhile), never a line per request. The end is
 * noticed by a probe every second while the dependency is down.
 */
export class OutageMonitor {
  private readonly outages = new Map<Dependency, { since: number; refused: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly logger: Logger,
    private readonly probes: Partial<Record<Dependency, () => Promise<unknown>>>,
    private readonly probeIntervalMs = 1_000,
  ) {}

  isDown(dependency: Dependency): boolean {
    return this.outages.has(dependency);
  }

  refused(dependency: Dependency, error: unknown): void {
    const outage = this.outages.get(dependency);
    if (outage) {
      outage.refused++;
      return;
    }
    this.logger.error(`${dependency} unavailable; answering 503 until it is back`, { dependency, error: errorMessage(error) });
    const timer = setInterval(() => void this.probe(dependency), this.probeIntervalMs);
    timer.unref();
    this.outages.set(dependency, { since: Date.now(), refused: 1, timer });
  }

  stop(): void {
    for (const { timer } of this.outages.values()) clearInterval(timer);
    this.outages.clear();
  }

  private async probe(dependency: Dependency): Promise<void> {
    const probe = this.probes[dependency];
    const outage = this.outages.get(dependency);
    if (!outage) return;
    try {
      await probe?.();
    } catch {
      return;
    }
    clearInterval(outage.timer);
    this.outages.delete(dependency);
    this.logger.info(`${dependency} available again`, {
      dependency,
      refusedRequests: outage.refused,
      downForMs: Date.now() - outage.since,
    });
  }
}
