import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { listen } from '../src/serve';
import { requestClassesOf } from '../src/http/request-classes';

describe('requestClassesOf', () => {
  it('has the server make each request and response with the app’s own prototypes, before Express sees them', async () => {
    const app = express();
    app.get('/hello', (req, res) => {
      res.status(201).json({ sameApp: req.app === app, host: req.get('host') ?? null });
    });
    const running = await listen(app, 0, '127.0.0.1', requestClassesOf(app));
    const seen: boolean[][] = [];
    // Runs before the app, which is the server's first listener.
    running.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push([Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response]);
    });
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await fetch(`http://127.0.0.1:${running.port}/hello`);
        expect(answer.status).toBe(201);
        expect(await answer.json()).toEqual({ sameApp: true, host: `127.0.0.1:${running.port}` });
      }
      expect(seen).toEqual([
        [true, true],
        [true, true],
      ]);
    } finally {
      await running.close();
    }
  });

  it('gives an app the same classes every time it is asked', () => {
    const app = express();
    const first = requestClassesOf(app);
    expect(requestClassesOf(app)).toBe(first);
    expect(first.IncomingMessage?.prototype).toBe(app.request);
    expect(first.ServerResponse?.prototype).toBe(app.response);
  });
});
