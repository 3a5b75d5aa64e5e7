// The floor of what Node does: node:http and pg doing exactly product-api's SQL, with no framework.
// PORT, DATABASE_URL.
import http from 'node:http';
import { createProduct, pool, readProduct, validInput } from './product-sql';

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers })
    .end(text);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/health/ready') return send(res, 200, { status: 'ready' });
  if (req.method === 'GET' && url.startsWith('/api/products/')) {
    const product = await readProduct(url.slice('/api/products/'.length));
    return product ? send(res, 200, product, { ETag: `"${product.version}"` }) : send(res, 404, { status: 404 });
  }
  if (req.method === 'POST' && url === '/api/products') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString());
    if (!validInput(body)) return send(res, 400, { status: 400 });
    const product = await createProduct(body);
    return send(res, 201, product, { Location: `/api/products/${product.id}`, ETag: '"1"' });
  }
  return send(res, 404, { status: 404 });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { status: 500 }));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
