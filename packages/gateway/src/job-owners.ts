// Who created a job through the gateway: the hash of the caller's key beside the job, so that
// GET /v1/jobs/<id> answers that caller only (a job id is not a secret: it travels in headers and logs).
import type { RedisClient } from '@switchyard/redis-state';
import { keyHash } from './auth.ts';

export class JobOwners {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttlSec: number;

  /** `ttlSec` must outlive the job and its kept result. */
  constructor(redis: RedisClient, namespace: string, ttlSec: number) {
    this.#redis = redis;
    this.#prefix = `${namespace}:owner:`;
    this.#ttlSec = Math.max(1, Math.ceil(ttlSec));
  }

  async record(jobId: string, key: string): Promise<void> {
    await this.#redis.set(this.#prefix + jobId, keyHash(key), 'EX', this.#ttlSec);
  }

  async isOwner(jobId: string, key: string | undefined): Promise<boolean> {
    if (key === undefined) return false;
    const stored = await this.#redis.get(this.#prefix + jobId);
    return stored === keyHash(key);
  }
}
