// Batch objects and plans in Redis. The gateway (cancel) and the worker (finalize, expire) both move a
// batch's status, so every change is a compare-and-set on the stored JSON, retried on a lost race.

import type { BatchLineFailure, BatchObject, BatchSlot } from '@switchyard/core';
import { CodedError, ERROR_CODES } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import type { StoreKeys } from './keys.ts';
import { ADMIN, type Caller, ObjectOwners } from './owners.ts';

/** What finalizing needs besides the queue's results: each request's line and custom_id, and refused lines. */
export interface BatchPlan {
  slots: BatchSlot[];
  invalid: BatchLineFailure[];
}

/** Set only if unchanged since read; a new TTL when given, else the key's own is kept. */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1`;

const MAX_CAS_TRIES = 20;

export class RecordStore {
  readonly #redis: RedisClient;
  readonly #keys: StoreKeys;
  readonly owners: ObjectOwners;

  constructor(redis: RedisClient, keys: StoreKeys) {
    this.#redis = redis;
    this.#keys = keys;
    this.owners = new ObjectOwners(redis, keys.owners);
  }

  async get(id: string): Promise<BatchObject | undefined> {
    const raw = await this.#redis.get(this.#keys.batch(id));
    return raw ? (JSON.parse(raw) as BatchObject) : undefined;
  }

  /** `owner`: the creator's key hash; none leaves the batch to admins. */
  async create(batch: BatchObject, ttlSec: number, plan?: BatchPlan, owner?: string): Promise<void> {
    const multi = this.owners.record(this.#redis.multi(), batch.id, owner);
    if (plan) multi.set(this.#keys.plan(batch.id), JSON.stringify(plan), 'EX', ttlSec);
    await multi
      .set(this.#keys.batch(batch.id), JSON.stringify(batch), 'EX', ttlSec)
      .zadd(this.#keys.batches, batch.created_at, batch.id)
      .exec();
  }

  /**
   * Apply `change` to the stored object until it sticks. `change` returns undefined to leave the object
   * as it is. Resolves with the object now stored (undefined when there is none).
   */
  async update(
    id: string,
    change: (batch: BatchObject) => BatchObject | undefined,
    ttlSec?: number,
  ): Promise<BatchObject | undefined> {
    const key = this.#keys.batch(id);
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const raw = await this.#redis.get(key);
      if (!raw) return undefined;
      const current = JSON.parse(raw) as BatchObject;
      const next = change(current);
      if (!next) return current;
      const set = await this.#redis.eval(COMPARE_AND_SET, 1, key, raw, JSON.stringify(next), ttlSec ?? '');
      if (set === 1) return next;
    }
    throw new CodedError(
      ERROR_CODES.batchConflict,
      `batch ${id} kept changing under ${MAX_CAS_TRIES} updates`,
    );
  }

  async plan(id: string): Promise<BatchPlan | undefined> {
    const raw = await this.#redis.get(this.#keys.plan(id));
    return raw ? (JSON.parse(raw) as BatchPlan) : undefined;
  }

  /** Newest first, the caller's own, `after` an id and at most `limit`; expired entries leave the index on the way. */
  async list(
    opts: { limit?: number; after?: string; caller?: Caller } = {},
  ): Promise<{ data: BatchObject[]; hasMore: boolean }> {
    const caller = opts.caller ?? ADMIN;
    const limit = opts.limit ?? 20;
    let ids = await this.#redis.zrevrange(this.#keys.batches, 0, -1);
    if (opts.after) {
      const at = ids.indexOf(opts.after);
      if (at >= 0) ids = ids.slice(at + 1);
    }
    const data: BatchObject[] = [];
    const gone: string[] = [];
    for (let i = 0; i < ids.length && data.length <= limit; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const raws = await this.#redis.mget(chunk.map((id) => this.#keys.batch(id)));
      const found: BatchObject[] = [];
      raws.forEach((raw, j) => {
        if (raw) found.push(JSON.parse(raw) as BatchObject);
        else gone.push(chunk[j]!);
      });
      data.push(...(await this.owners.visible(caller, found)));
    }
    if (gone.length > 0) {
      await this.#redis.zrem(this.#keys.batches, ...gone);
      await this.owners.forget(...gone);
    }
    return { data: data.slice(0, limit), hasMore: data.length > limit };
  }
}
