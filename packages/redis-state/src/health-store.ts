// Health-check results shared by the fleet: the last result per deployment, the background rounds' claim
// (exactly one process runs each round), and the endpoint each group was first used with.
import type { Endpoint, ErrorType } from '@switchyard/core';
import type { RedisClient } from './script-loader.ts';

/** A deployment's last check as stored (no credential, no body). */
export interface StoredHealth {
  healthy: boolean;
  checkedAtMs: number;
  /** `<ErrorType>: <message>` when it failed. */
  error?: string;
  errorType?: ErrorType;
  /** The background round that wrote it (absent for on-demand checks). */
  round?: number;
}

export class HealthStore {
  readonly #client: RedisClient;
  readonly #prefix: string;

  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  get #results(): string {
    return `${this.#prefix}:health`;
  }

  async write(results: ReadonlyMap<string, StoredHealth>): Promise<void> {
    if (results.size === 0) return;
    const fields = [...results].flatMap(([id, r]) => [id, JSON.stringify(r)]);
    await this.#client.hset(this.#results, ...fields);
  }

  async read(): Promise<Map<string, StoredHealth>> {
    const raw = await this.#client.hgetall(this.#results);
    const out = new Map<string, StoredHealth>();
    for (const [id, json] of Object.entries(raw)) {
      try {
        out.set(id, JSON.parse(json) as StoredHealth);
      } catch {
        // A field that is not ours is not a result.
      }
    }
    return out;
  }

  /** Claims background round `round` for this process: true for exactly one caller per round. */
  async claimRound(round: number, ttlMs: number): Promise<boolean> {
    const key = `${this.#prefix}:health:round:${round}`;
    const won = (await this.#client.set(key, '1', 'PX', Math.max(1_000, ttlMs), 'NX')) === 'OK';
    if (won) await this.#client.hincrby(`${this.#prefix}:health:rounds`, 'count', 1);
    return won;
  }

  /** How many background rounds have run (for status and tests). */
  async roundsRun(): Promise<number> {
    return Number((await this.#client.hget(`${this.#prefix}:health:rounds`, 'count')) ?? 0);
  }

  /** Remembers the endpoint of a group's first job (a check without `model_info.mode` uses it). */
  async noteFirstUse(uses: ReadonlyMap<string, Endpoint>): Promise<void> {
    if (uses.size === 0) return;
    const pipe = this.#client.pipeline();
    for (const [group, endpoint] of uses) pipe.hsetnx(`${this.#prefix}:first_use`, group, endpoint);
    await pipe.exec();
  }

  async firstUses(): Promise<Map<string, Endpoint>> {
    return new Map(
      Object.entries(await this.#client.hgetall(`${this.#prefix}:first_use`)) as [string, Endpoint][],
    );
  }
}
