// Scenario 5: the soak. product-api and one inventory-worker under a steady load (creates at the end to
// end rate, and reads of what was created, for `soakSeconds`), their resident memory sampled every few
// seconds: the peak, and whether it grows, comparing the last fifth of the samples with the second (the
// first is warm-up).
import { createDatabases, productIds, rssMiB, startPipeline } from '../infra';
import type { Service } from '../infra';
import { createProducts, readProducts } from '../load';
import type { Row } from '../report';
import { mean, round } from '../stats';
import type { Context } from './context';

const SAMPLE_MS = 5_000;

/** Mean RSS over the first and the last fifth of the samples after the first fifth (warm-up). */
function growth(samples: number[]): { early: number | null; late: number | null } {
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  return { early: mean(samples.slice(fifth, 2 * fifth)), late: mean(samples.slice(-fifth)) };
}

export async function soakScenario(context: Context): Promise<void> {
  const { sizes } = context;
  const databases = await createDatabases();
  const services: Service[] = [];
  const samples = new Map<string, number[]>();
  let timer: NodeJS.Timeout | undefined;
  try {
    services.push(...(await startPipeline(databases, context.redis.url, 'bench.soak')));
    timer = setInterval(() => {
      for (const service of services) {
        const rss = rssMiB(service.child.pid);
        if (rss !== null) samples.set(service.name, [...(samples.get(service.name) ?? []), rss]);
      }
    }, SAMPLE_MS);
    const url = `http://127.0.0.1:${services[0]?.port}`;
    context.log(`soak: ${sizes.e2eRate} creates/s and reads at 8 connections for ${sizes.soakSeconds} s`);
    const ids = await seedIds(url, databases.productUrl);
    const [writes, reads] = await Promise.all([
      createProducts(url, { connections: 4, seconds: sizes.soakSeconds, overallRate: sizes.e2eRate }),
      readProducts(url, ids, { connections: 8, seconds: sizes.soakSeconds }),
    ]);
    context.notes.push(
      `soak: ${round(writes.rps)} creates/s and ${round(reads.rps)} reads/s for ${sizes.soakSeconds} s, ` +
        `${writes.non2xx + reads.non2xx} non-2xx, ${writes.errors + reads.errors} errors`,
    );
  } finally {
    clearInterval(timer);
    const rows: Row[] = [];
    for (const service of services) {
      const series = samples.get(service.name) ?? [];
      const { early, late } = growth(series);
      const peak = service.peakRssMiB();
      rows.push(
        {
          scenario: '5 soak',
          figure: `${service.name}: peak RSS`,
          value: peak,
          unit: 'MiB',
          target: '≤ 150 MiB',
          met: peak === null ? null : peak <= 150,
        },
        {
          scenario: '5 soak',
          figure: `${service.name}: RSS, last fifth of the soak`,
          value: late === null ? null : round(late),
          unit: 'MiB',
          baseline: { name: 'second fifth (after warm-up)', value: early === null ? null : round(early) },
          ratio: early === null || late === null ? null : round(late / early, 2),
          target: 'flat (≤ 1.05)',
          met: early === null || late === null ? null : late / early <= 1.05,
        },
      );
    }
    context.rows.push(...rows);
    context.rss['5 soak'] = Object.fromEntries(services.map((service) => [service.name, service.peakRssMiB()]));
    await Promise.all(services.map((service) => service.stop()));
    await databases.drop();
  }
}

/** A few hundred products to read while the soak writes more. */
async function seedIds(url: string, databaseUrl: string): Promise<string[]> {
  await createProducts(url, { connections: 4, seconds: 1 });
  return productIds(databaseUrl);
}
