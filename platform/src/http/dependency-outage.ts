import type { Logger } from '../logger';
import { errorMessage } from '../logger';
import { isRedisConnectionError } from '../redis-clients';

export type Dependency = 'database' | 'redis';

/**
 * Prisma's own codes for "no connection": cannot reach, timed out, TLS failed, the server closed it, the
 * pool timed out, the transaction's connection went.
 */
const PRISMA_NO_CONNECTION = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2028']);
/** How Prisma's pg adapter names a socket that broke or never opened. */
const ADAPTER_SOCKET_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TlsConnectionError']);
/** The calls of a Node socket: an error of one is the connection to the server failing. */
const SOCKET_SYSCALLS = new Set(['connect', 'read', 'write', 'writev', 'getaddrinfo']);
/** pg's own words, without a code, for a connection that ended under a statement. */
const PG_CONNECTION_ENDED = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;
const REDIS_ERRORS = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'DisconnectsClientError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'SocketTimeoutError',
  // A Cluster none of whose nodes answers, or whose slot map keeps moving under a command.
  'RootNodesUnavailableError',
  'MaxCommandRedirectionsError',
]);
/**
 * What Redis answers when it cannot serve now rather than when the command is wrong: a Cluster slot with no
 * primary, a slot moving or a failover in progress, a dataset loading, a primary that lost its replicas, a
 * demoted primary (READONLY, from the server or from the Sentinel client), and the Sentinel client finding
 * no primary.
 */
const REDIS_NOT_NOW =
  /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|NOREPLICAS) |^(no valid master node|None of the sentinels are available)/;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  severity?: unknown;
  syscall?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown; severity?: unknown } } };
  cause?: unknown;
}

/**
 * What the server said ended the session rather than a statement: severity FATAL or PANIC ("an error that
 * caused the current session to abort", whatever its code: terminated, shut down, dropped, refused at
 * connect), or SQLSTATE class 08, connection exception (the pool's own `ConnectionFailedError` for a
 * connection it could not hand out is 08001). A statement's error on a working connection is ERROR.
 */
function sessionEnded(severity: unknown, code: unknown): boolean {
  return severity === 'FATAL' || severity === 'PANIC' || (typeof code === 'string' && code.startsWith('08'));
}

/**
 * Which dependency an error says is away, or undefined when it is not an outage (a bug, a client's error).
 * Classified by what failed, not by a list of the server's reasons: getting or opening a connection, or
 * the session or socket ending under a statement.
 */
export function unavailableDependency(error: unknown): Dependency | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, severity, syscall, meta, cause } = error as ErrorShape;
  // node-redis's errors keep the name "Error"; their classes say what they are.
  if (REDIS_ERRORS.has(error.constructor.name) || (typeof name === 'string' && REDIS_ERRORS.has(name))) return 'redis';
  if (error instanceof Error && REDIS_NOT_NOW.test(error.message)) return 'redis';
  if (isRedisConnectionError(error)) return 'redis';
  if (typeof name === 'string' && name.startsWith('PrismaClient')) {
    const adapterCause = meta?.driverAdapterError?.cause;
    if (typeof code === 'string' && PRISMA_NO_CONNECTION.has(code)) return 'database';
    if (typeof adapterCause?.kind === 'string' && ADAPTER_SOCKET_KINDS.has(adapterCause.kind)) return 'database';
    if (adapterCause && sessionEnded(adapterCause.severity, adapterCause.originalCode)) return 'database';
    if (name === 'PrismaClientInitializationError') return 'database';
  } else if (sessionEnded(severity, code)) return 'database';
  // A Node socket error (refused, reset, timed out, unreachable, broken pipe) under the database client.
  if (typeof syscall === 'string' && SOCKET_SYSCALLS.has(syscall)) return 'database';
  if (error instanceof Error && PG_CONNECTION_ENDED.test(error.message)) return 'database';
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
