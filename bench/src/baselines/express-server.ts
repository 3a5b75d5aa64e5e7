// The yardstick for product-api: a minimal Express 5 server doing exactly its SQL, nothing else (no
// validation beyond types, no logging, no metrics, no request context). PORT, DATABASE_URL;
// OWN_REQUEST_CLASSES=true serves it as product-api is served: with the request and response classes
// that spare Express changing every request's prototype (requestClassesOf).
import http from 'node:http';
import express from 'express';
import { requestClassesOf } from '@stockstream/platform/http';
import { createProduct, pool, readProduct, validInput } from './product-sql';

const app = express();
app.use(express.json());
app.get('/health/ready', (_req, res) => {
  res.json({ status: 'ready' });
});
app.get('/api/products/:id', async (req, res) => {
  const product = await readProduct(req.params.id);
  if (!product) res.status(404).json({ status: 404 });
  else res.set('ETag', `"${product.version}"`).json(product);
});
app.post('/api/products', async (req, res) => {
  if (!validInput(req.body)) {
    res.status(400).json({ status: 400 });
    return;
  }
  const product = await createProduct(req.body);
  res
    .status(201)
    .set({ Location: `/api/products/${product.id}`, ETag: '"1"' })
    .json(product);
});
const options = process.env.OWN_REQUEST_CLASSES === 'true' ? requestClassesOf(app) : {};
const server = http.createServer(options, app).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
