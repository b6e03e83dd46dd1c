// An optional liveness/readiness endpoint for supervisors (Kubernetes probes, load balancers): 200 while
// the worker can take jobs, 503 when Redis is away, fetching has stalled, or it is shutting down.
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
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
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
