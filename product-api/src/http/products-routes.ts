import { Router } from 'express';
import { ProductIdParams, ProductInput, ProductListQuery } from '@stockstream/contracts';
import { AppError, acceptedVersions, etagOf, parseRequest, requestIdOf } from '@stockstream/platform/http';
import type { ProductRepository } from '../data/product-repository';

export function productsRoutes(products: ProductRepository, onChange: () => void): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const input = parseRequest(ProductInput, req.body, 'body');
    const product = await products.create(input, requestIdOf(res));
    onChange();
    res.status(201).location(`${req.baseUrl}/${product.id}`).setHeader('ETag', etagOf(product.version)).json(product);
  });

  router.get('/', async (req, res) => {
    res.json(await products.list(parseRequest(ProductListQuery, req.query, 'query')));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseRequest(ProductIdParams, req.params, 'params');
    const product = await products.findById(id);
    if (!product) throw AppError.notFound(`Product ${id}`);
    res.setHeader('ETag', etagOf(product.version)).json(product);
  });

  router.put('/:id', async (req, res) => {
    const { id } = parseRequest(ProductIdParams, req.params, 'params');
    const input = parseRequest(ProductInput, req.body, 'body');
    const product = await products.replace(id, input, acceptedVersions(req.get('if-match')), requestIdOf(res));
    onChange();
    res.setHeader('ETag', etagOf(product.version)).json(product);
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseRequest(ProductIdParams, req.params, 'params');
    await products.delete(id, acceptedVersions(req.get('if-match')), requestIdOf(res));
    onChange();
    res.status(204).end();
  });

  return router;
}
