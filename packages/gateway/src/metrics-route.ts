// `GET /metrics`: the fleet's Prometheus metrics (routing state and queue counts read from Redis).
// Who may scrape is the gateway's call (master or read-only key, see viewer-auth.ts); no series carries a
// secret (api_base without credentials).
import type { ServerResponse } from 'node:http';
import { gatewayError } from './openai-error.ts';
import { sendError } from './reply.ts';

/** Renders the Prometheus text exposition; rejects when Redis cannot be read. */
export type MetricsSource = () => Promise<{ contentType: string; body: string }>;

export function isMetricsPath(pathname: string): boolean {
  return pathname === '/metrics' || pathname === '/metrics/';
}

export async function serveMetrics(
  source: MetricsSource,
  method: string,
  res: ServerResponse,
): Promise<void> {
  if (method !== 'GET') {
    sendError(res, gatewayError(405, '/metrics accepts GET only'), { allow: 'GET' });
    return;
  }
  try {
    const { contentType, body } = await source();
    res.writeHead(200, { 'content-type': contentType }).end(body);
  } catch (err) {
    sendError(
      res,
      gatewayError(503, `metrics unavailable: ${(err as Error).message}`, 'service_unavailable_error'),
    );
  }
}
