import type request from 'supertest';
import type { DatabaseFault } from '../../../prisma/test/support/database-faults';
import type { LogLine } from './log-lines';
import { waitForLine } from './log-lines';
import { expectEachUnavailable } from './unavailable';

/**
 * Makes `fault` under a running API and checks what a client and an operator see: every one of `calls`
 * answers 503 with Retry-After (readiness too while the fault lasts), the outage is one line when it starts
 * and one when it ends, no line has a stack, and once the fault is over `afterwards` answers again.
 */
export async function drillDatabaseFault(
  fault: DatabaseFault,
  {
    http,
    lines,
    calls,
    afterwards,
  }: { http: ReturnType<typeof request>; lines: LogLine[]; calls: () => request.Test[]; afterwards: string },
): Promise<void> {
  const from = lines.length;
  await fault.start();
  const sent = calls();
  const answers = Promise.all(sent);
  if (!fault.lasting) await fault.end();
  await expectEachUnavailable(await answers);
  if (fault.lasting) {
    await http.get('/health/ready').expect(503);
    await fault.end();
  }

  await waitForLine(lines, /database available again/, from);
  await http.get(afterwards).expect(200);
  await http.get('/health/ready').expect(200);

  const during = lines.slice(from);
  const outageLines = during.filter((line) => /database (unavailable|available again)/.test(line.message));
  expect(outageLines.map((line) => line.message)).toEqual([
    'database unavailable; answering 503 until it is back',
    'database available again',
  ]);
  expect(outageLines[1]).toMatchObject({ refusedRequests: sent.length });
  // Background tasks failing meanwhile each say so once.
  const warnings = during.filter((line) => line.level === 'warn').map((line) => line.message);
  expect(warnings.length).toBe(new Set(warnings).size);
  expect(during.filter((line) => 'stack' in line || line.message === 'unhandled error')).toEqual([]);
}
