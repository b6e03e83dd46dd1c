// The gateway's URL space: OpenAI's paths (with or without the `/v1` prefix, as the LiteLLM Proxy
// accepts both), health probes, and job lookup by id for callers that gave up waiting.
import { ENDPOINTS, type Endpoint, JOB_NAMES } from '@switchyard/core';

/** A known path asked with another method: what it takes (the 405's `Allow` header). Every router's. */
export interface WrongMethod {
  kind: 'wrong-method';
  allow: string;
}

export type Route =
  | { kind: 'call'; endpoint: Endpoint }
  | { kind: 'health' }
  | { kind: 'readiness' }
  | { kind: 'job'; id: string }
  /** A job's answer as text/event-stream, from the start or after `Last-Event-ID`. */
  | { kind: 'job-stream'; id: string }
  /** `GET /v1/models` (no id) and `GET /v1/models/{id}`. */
  | { kind: 'models'; id?: string }
  | WrongMethod;

/** Every job name's OpenAI path (the contract's table), e.g. `/audio/speech` → `audio.speech`. */
const CALL_PATHS: Readonly<Record<string, Endpoint>> = Object.fromEntries(
  JOB_NAMES.map((name) => [ENDPOINTS[name].path, name]),
);

export function resolveRoute(method: string, pathname: string): Route | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  // LiteLLM's liveness probes (both spellings) and the keyless /health: cheap, no Redis, no provider.
  if (path === '/health' || path === '/health/liveliness' || path === '/health/liveness')
    return method === 'GET' ? { kind: 'health' } : { kind: 'wrong-method', allow: 'GET' };
  if (path === '/health/readiness') {
    return method === 'GET' ? { kind: 'readiness' } : { kind: 'wrong-method', allow: 'GET' };
  }
  const bare = path.startsWith('/v1/') ? path.slice(3) : path;
  const endpoint = CALL_PATHS[bare];
  if (endpoint)
    return method === 'POST' ? { kind: 'call', endpoint } : { kind: 'wrong-method', allow: 'POST' };
  const models = /^\/models(?:\/(.+))?$/.exec(bare);
  if (models) {
    if (method !== 'GET') return { kind: 'wrong-method', allow: 'GET' };
    try {
      return models[1] === undefined
        ? { kind: 'models' }
        : { kind: 'models', id: decodeURIComponent(models[1]) };
    } catch {
      return undefined;
    }
  }
  const job = /^\/jobs\/([^/]+)(\/stream)?$/.exec(bare);
  if (job?.[1]) {
    if (method !== 'GET') return { kind: 'wrong-method', allow: 'GET' };
    try {
      return { kind: job[2] ? 'job-stream' : 'job', id: decodeURIComponent(job[1]) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
