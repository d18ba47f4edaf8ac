import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { parseEndpoint } from '../receivers/endpoint.js';

/**
 * `/healthz` (the process is alive), `/readyz` (sources, state and exporter are up and intake is
 * open; 503 with the reasons otherwise, and from the moment shutdown starts) and Prometheus
 * `/metrics`. Plain node:http: three read-only routes need no framework.
 */
export class HealthServer {
  private server: Server | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly readiness: () => string[],
  ) {}

  async listen(endpoint: string): Promise<number> {
    const { host, port } = parseEndpoint(endpoint, 'http.endpoint');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const problems = this.readiness();
        res.writeHead(problems.length === 0 ? 200 : 503, { 'content-type': 'text/plain' }).end(problems.length === 0 ? 'ready\n' : `${problems.join('\n')}\n`);
      } else if (path === '/metrics') {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
