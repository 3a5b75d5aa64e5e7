import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function summarize(result: autocannon.Result): LoadResult {
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** POST /api/products with a fresh sku each time. `onCreated` gets each created id and when its 201 arrived. */
export async function createProducts(
  url: string,
  options: { connections: number; seconds: number; overallRate?: number; onCreated?: (id: string, receivedAtMs: number) => void },
): Promise<LoadResult> {
  let counter = 0;
  const prefix = randomUUID().slice(0, 8);
  const result = await autocannon({
    url: `${url}/api/products`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            sku: `B-${prefix}-${counter++}`,
            name: 'Bench product',
            description: 'made by npm run bench',
            price: '19.99',
          }),
        }),
        onResponse: (status, body) => {
          if (status === 201 && options.onCreated)
            options.onCreated((JSON.parse(body) as { id: string }).id, performance.timeOrigin + performance.now());
        },
      },
    ],
  });
  return summarize(result);
}

/** GET /api/products/{id} over the given ids, at random. */
export async function readProducts(url: string, ids: string[], options: { connections: number; seconds: number }): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      { method: 'GET', setupRequest: (request) => ({ ...request, path: `/api/products/${ids[Math.floor(Math.random() * ids.length)]}` }) },
    ],
  });
  return summarize(result);
}
