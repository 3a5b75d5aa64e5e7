import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../src/config';
import { envHeapGrowthPercent } from '../src/memory';

const Config = z.object({ HEAP_GROWTH_PERCENT: envHeapGrowthPercent });

/**
 * The most old space a process used while it kept 200,000 objects and turned over 300,000 more that
 * outlive two young collections before they are dropped (as requests in flight do), with
 * HEAP_GROWTH_PERCENT applied as a service applies it at start, or, given none, V8's own sizing.
 */
function peakOldSpaceMiB(heapGrowthPercent: number | undefined): number {
  const script = `
    const v8 = require('node:v8');
    ${heapGrowthPercent === undefined ? '' : `require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'memory.js'))}).limitHeapGrowth(${heapGrowthPercent});`}
    const live = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'x' + i }));
    const ring = new Array(300000);
    let peak = 0;
    for (let n = 0; n < 6000000; n++) {
      ring[n % ring.length] = { n, a: [n, n + 1], s: 'y' + n };
      if (n % 10000 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size);
    }
    if (live.length !== 200000) throw new Error('the live objects went');
    process.stdout.write(String(peak / 1048576));`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('HEAP_GROWTH_PERCENT', () => {
  test('is 30 unless set, and refused outside 10 to 400 with a message naming it', () => {
    expect(parseConfig(Config, {}).HEAP_GROWTH_PERCENT).toBe(30);
    expect(parseConfig(Config, { HEAP_GROWTH_PERCENT: '50' }).HEAP_GROWTH_PERCENT).toBe(50);
    expect(() => parseConfig(Config, { HEAP_GROWTH_PERCENT: '5' })).toThrow(ConfigError);
    expect(() => parseConfig(Config, { HEAP_GROWTH_PERCENT: '5' })).toThrow('HEAP_GROWTH_PERCENT: must be 10 or more (got "5")');
    expect(() => parseConfig(Config, { HEAP_GROWTH_PERCENT: 'lots' })).toThrow(/HEAP_GROWTH_PERCENT/);
  });

  test('applied, the heap is collected before it grows far past what is live; left to itself, V8 lets it grow', () => {
    const v8Own = peakOldSpaceMiB(undefined);
    const limited = peakOldSpaceMiB(30);
    expect(limited).toBeLessThan(v8Own * 0.6);
  }, 60_000);
});
