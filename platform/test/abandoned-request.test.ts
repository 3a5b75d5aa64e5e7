// A client that gives up before the answer (a hang upstream, a proxy's timeout) is still a request: it is
// in the access log and in http_request_duration_seconds, with status 499, so hangs show when they matter.
import http from 'node:http';
import { createLogger, createMetricsRegistry, listen } from '../src';
import type { RunningServer } from '../src';
import { createBaseApp, finishApp } from '../src/http';
import { captureLogLines, waitForLine } from './support/log-lines';

let server: RunningServer;
let arrived: () => void;
const logger = createLogger('platform-test', 'info');
const lines = captureLogLines(logger);
const metrics = createMetricsRegistry('platform-test');

beforeAll(async () => {
  const base = { logger, metrics, openApiDocument: { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} } };
  const app = createBaseApp(base);
  // Never answers: what a route waiting on a stalled dependency looks like to its client.
  app.get('/hangs/:id', () => arrived());
  server = await listen(finishApp(app, base), 0);
});
afterAll(() => server.close());

test('when the client closes the connection before the answer, the request is logged and timed as 499', async () => {
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const req = http.get(`http://127.0.0.1:${server.port}/hangs/42`);
  req.on('error', () => undefined);
  await reached;
  req.destroy();

  await waitForLine(lines, /^request$/);
  expect(lines.find((line) => line.message === 'request')).toMatchObject({ status: 499, route: '/hangs/:id', method: 'GET' });
  expect(await metrics.metrics()).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/hangs\/:id"[^}]*status="499"[^}]*\} 1/);
});
