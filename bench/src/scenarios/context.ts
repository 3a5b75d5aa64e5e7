import type { Row } from '../report';
import type { PrivateRedis } from '../infra';

export interface Sizes {
  seconds: number;
  connections: number;
  drainEvents: number;
  e2eRate: number;
  /** How long the soak runs. */
  soakSeconds: number;
  bullmqConcurrencies: number[];
  /** Dead letters in the stream an operator pages through, and the largest cause's group job works on. */
  deadLetters: number;
}

export const FULL: Sizes = {
  seconds: 20,
  connections: 32,
  drainEvents: 100_000,
  e2eRate: 500,
  soakSeconds: 300,
  bullmqConcurrencies: [4, 16, 64],
  deadLetters: 100_000,
};
export const QUICK: Sizes = {
  seconds: 2,
  connections: 32,
  drainEvents: 3_000,
  e2eRate: 200,
  soakSeconds: 5,
  bullmqConcurrencies: [16],
  deadLetters: 3_000,
};

/** BENCH_DRAIN_EVENTS overrides the backlog size, for profiling the drain alone. */
export function sized(sizes: Sizes, env: NodeJS.ProcessEnv): Sizes {
  const drainEvents = Number(env.BENCH_DRAIN_EVENTS);
  return Number.isInteger(drainEvents) && drainEvents > 0 ? { ...sizes, drainEvents } : sizes;
}

export interface Context {
  redis: PrivateRedis;
  sizes: Sizes;
  rows: Row[];
  rss: Record<string, Record<string, number | null>>;
  notes: string[];
  log(line: string): void;
}

/**
 * The memory setting the bench runs beside the shipped defaults (which bound V8's heap growth already,
 * HEAP_GROWTH_PERCENT): its young generation capped too, which only the launcher can do
 * (bench/history/2026-11-performance-notebook.md, Memory).
 */
export const SMALL_HEAP = { NODE_OPTIONS: '--max-semi-space-size=8' };

/** Environment settings as the report shows them: `NAME=value, NAME=value`. */
export const settingsLabel = (settings: Record<string, string>) =>
  Object.entries(settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');

export const ratio = (value: number | null, baseline: number | null) =>
  value === null || baseline === null || baseline === 0 ? null : Math.round((value / baseline) * 100) / 100;

/** Tracing on (its endpoint given beside), sampling a share of the traces at their root. */
export const tracing = (share: number): Record<string, string> => ({
  OTEL_TRACES_SAMPLER: 'traceidratio',
  OTEL_TRACES_SAMPLER_ARG: String(share),
});
