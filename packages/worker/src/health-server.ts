// An optional liveness/readiness endpoint for supervisors (Kubernetes probes, load balancers): 200 while
// the worker can take jobs, 503 when Redis is away, fetching has stalled, or it is shutting down; and
// `GET /metrics`, this process's Prometheus metrics, when they are on.
import { createServer, type Server } from 'node:http';

export interface WorkerHealth {
  ok: boolean;
  status: 'ok' | 'redis-unavailable' | 'fetch-stalled' | 'closing';
  queue: string;
  concurrency: number;
  running: number;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(opts: {
  port: number;
  host?: string;
  health: () => WorkerHealth;
  /** Serves `GET /metrics` (Prometheus text) when given. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}): Promise<HealthServer> {
  const { metrics } = opts;
  const server: Server = createServer((req, res) => {
    if (metrics && req.method === 'GET' && req.url === '/metrics') {
      metrics().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
      return;
    }
    if (req.method !== 'GET' || (req.url !== '/health' && req.url !== '/healthz')) {
      res.writeHead(404).end();
      return;
    }
    const health = opts.health();
    res.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
