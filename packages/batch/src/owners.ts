// Who created each file, batch and gateway job: a hash of the caller's key (never the key), so the gateway can give
// each key only its own objects, as OpenAI scopes them to an organisation. One access rule, two ways to keep owners.
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

/**
 * Who owns what, read the same way for every kind of object; where the owners are kept is the subclass's.
 * An id with no owner recorded is an admin's only.
 */
abstract class OwnerStore {
  /** The owners of `ids`, in their order (null: none recorded). */
  protected abstract owners(ids: readonly string[]): Promise<(string | null)[]>;

  async of(id: string): Promise<string | undefined> {
    return (await this.owners([id]))[0] ?? undefined;
  }

  async mayAccess(caller: Caller, id: string): Promise<boolean> {
    return caller.admin || mayAccess(caller, await this.of(id));
  }

  /** The items this caller may see, in their order (one read). */
  async visible<T extends { id: string }>(caller: Caller, items: readonly T[]): Promise<T[]> {
    if (caller.admin || items.length === 0) return [...items];
    const owners = await this.owners(items.map((i) => i.id));
    return items.filter((_, i) => mayAccess(caller, owners[i]));
  }
}

/** Files and batches: one hash beside the store, forgotten with the object. */
export class ObjectOwners extends OwnerStore {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(redis: RedisClient, key: string) {
    super();
    this.#redis = redis;
    this.#key = key;
  }

  /** Queued on the caller's MULTI, so an object never exists without its owner. */
  record(multi: ChainableCommander, id: string, owner: string | undefined): ChainableCommander {
    return owner === undefined ? multi : multi.hset(this.#key, id, owner);
  }

  protected owners(ids: readonly string[]): Promise<(string | null)[]> {
    return this.#redis.hmget(this.#key, ...ids);
  }

  async forget(...ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#redis.hdel(this.#key, ...ids);
  }
}

/**
 * Jobs made through the gateway: one key per job, `<prefix><job id>`, that expires on its own, since a job and
 * its result vanish without anyone to forget them (a hash field would not expire).
 */
export class ExpiringOwners extends OwnerStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #ttlSec: number;

  /** `ttlSec` must outlive the object (a job: its longest wait and its kept result). */
  constructor(redis: RedisClient, prefix: string, ttlSec: number) {
    super();
    this.#redis = redis;
    this.#prefix = prefix;
    this.#ttlSec = Math.max(1, Math.ceil(ttlSec));
  }

  /** No owner (an admin's object, or a gateway without keys): nothing to record. */
  async record(id: string, owner: string | undefined): Promise<void> {
    if (owner !== undefined) await this.#redis.set(this.#prefix + id, owner, 'EX', this.#ttlSec);
  }

  // One GET per id: each key hashes to its own slot on a cluster, so no MGET.
  protected owners(ids: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(ids.map((id) => this.#redis.get(this.#prefix + id)));
  }
}
