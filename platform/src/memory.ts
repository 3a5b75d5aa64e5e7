import v8 from 'node:v8';
import { z } from 'zod';

/**
 * HEAP_GROWTH_PERCENT: how far past what survived the last full collection V8 lets the heap grow before
 * the next one; 30 unless set. Left to itself, V8 let our services grow under load to three or four
 * times their live heap (230–265 MiB resident); at 30 they stay under 150 MiB, for more full collections:
 * on a fast machine product-api wrote 6–8 % faster at 100, at 162 MiB (bench/history/2026-11-performance-notebook.md, Memory).
 * 400 lets a heap grow further than V8 does itself.
 */
export const envHeapGrowthPercent = z.coerce.number().int().min(10, 'must be 10 or more').max(400, 'must be 400 or less').default(30);

/**
 * Applies HEAP_GROWTH_PERCENT. V8 reads the setting at every full collection, so setting it at start
 * takes effect; a `--heap-growing-percent` given to node on its command line is left as it is.
 */
export function limitHeapGrowth(percent: number): void {
  if (process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
