import v8 from 'node:v8';
import { z } from 'zod';

/**
 * HEAP_GROWTH_PERCENT: how far past what survived the last full collection V8 lets the heap grow before
 * the next one. Unset, V8 decides (the default): under load it let our services grow to three or four
 * times their live heap. 30 keeps a service under the bench's loads near 150 MiB resident instead of 240
 * to 270, for more collections: about a tenth of the throughput on two busy cores (docs/performance.md).
 */
export const envHeapGrowthPercent = z.coerce.number().int().min(10, 'must be 10 or more').max(400, 'must be 400 or less').optional();

/**
 * Applies HEAP_GROWTH_PERCENT. V8 reads the setting at every full collection, so setting it at start
 * takes effect; a `--heap-growing-percent` given to node on its command line is left as it is.
 */
export function limitHeapGrowth(percent: number | undefined): void {
  if (percent === undefined) return;
  if (process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
