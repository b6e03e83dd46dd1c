// Who created each file and batch: a hash of the caller's key (never the key) in one Redis hash beside
// the store, so the gateway can give each key only its own objects, as OpenAI scopes them to an organisation.
import type { RedisClient } from '@switchyard/redis-state';
import type { ChainableCommander } from 'ioredis';

/**
 * Who is asking the store. `owner` (a key's hash) is recorded on what the caller creates and limits what it
 * sees; `admin` (the master key, a gateway without keys, or in-process code) sees every object.
 */
export interface Caller {
  owner?: string;
  admin: boolean;
}

/** Code with Redis in hand (the CLI, the client library, the worker) already sees everything. */
export const ADMIN: Caller = { admin: true };

/** An object recorded without an owner (created before ownership, or by an admin) is an admin's only. */
export const mayAccess = (caller: Caller, owner: string | null | undefined): boolean =>
  caller.admin || (caller.owner !== undefined && owner === caller.owner);

export class ObjectOwners {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(redis: RedisClient, key: string) {
    this.#redis = redis;
    this.#key = key;
  }

  /** Queued on the caller's MULTI, so an object never exists without its owner. */
  record(multi: ChainableCommander, id: string, owner: string | undefined): ChainableCommander {
    return owner === undefined ? multi : multi.hset(this.#key, id, owner);
  }

  async of(id: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#key, id)) ?? undefined;
  }

  async mayAccess(caller: Caller, id: string): Promise<boolean> {
    return caller.admin || mayAccess(caller, await this.of(id));
  }

  /** The items this caller may see, in their order (one HMGET). */
  async visible<T extends { id: string }>(caller: Caller, items: readonly T[]): Promise<T[]> {
    if (caller.admin || items.length === 0) return [...items];
    const owners = await this.#redis.hmget(this.#key, ...items.map((i) => i.id));
    return items.filter((_, i) => mayAccess(caller, owners[i]));
  }

  async forget(...ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.hdel(this.#key, ...ids);
  }
}
