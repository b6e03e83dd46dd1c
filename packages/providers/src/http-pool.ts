// One keep-alive undici Pool per origin, shared by every adapter, so connections are reused across deployments.
import { CodedError, ERROR_CODES } from '@switchyard/core';
import { Pool } from 'undici';

export interface HttpPoolOptions {
  /** Max sockets per origin (default 128). */
  connections?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface HttpPools {
  /** The pool for `origin` (scheme://host:port), created on first use. */
  forOrigin(origin: string): Pool;
  /** Graceful: waits for requests in progress, then closes every socket. */
  close(): Promise<void>;
}

export function createHttpPools(opts: HttpPoolOptions = {}): HttpPools {
  const pools = new Map<string, Pool>();
  let closed = false;
  return {
    forOrigin(origin) {
      if (closed) throw new CodedError(ERROR_CODES.poolsClosed, 'HTTP pools are closed');
      let pool = pools.get(origin);
      if (!pool) {
        pool = new Pool(origin, {
          connections: opts.connections ?? 128,
          keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4_000,
          connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
          // Every request carries its own attempt deadline (see attempt.ts); undici's fixed ones would
          // cut a long-but-allowed generation short, so they are off.
          headersTimeout: 0,
          bodyTimeout: 0,
        });
        pools.set(origin, pool);
      }
      return pool;
    },
    async close() {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close()));
    },
  };
}
