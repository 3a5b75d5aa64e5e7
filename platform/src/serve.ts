import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener, ServerOptions } from 'node:http';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, lets requests in flight finish, then closes idle keep-alive connections. */
  close(): Promise<void>;
}

/** `options`: the server's (an Express app's request classes, say: requestClassesOf in the http entry). */
export function listen(app: RequestListener, port: number, host = '127.0.0.1', options: ServerOptions = {}): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(options, app);
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeIdleConnections();
          }),
      });
    });
  });
}
