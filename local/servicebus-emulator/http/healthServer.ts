import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * `GET /health` -> 200 {"status":"healthy"}, as the official emulator answers on port 5300;
 * `GET /operations` -> 200 with what `operations` returns (the emulator's own operation counts,
 * an extension: counts only, no message content); every other request goes to `admin` (the
 * ATOM management API) when given.
 */
export function startHealthServer(
  port: number,
  host: string,
  admin?: (request: IncomingMessage, response: ServerResponse) => void,
  operations?: () => unknown,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'healthy' }));
      return;
    }
    if (request.method === 'GET' && path === '/operations' && operations) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(operations()));
      return;
    }
    if (admin) {
      admin(request, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not found' }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
