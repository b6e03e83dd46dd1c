// The fleet's model list in Redis: one versioned document, changed atomically, announced on pub/sub.
import { createHash } from 'node:crypto';
import {
  ConfigError,
  changeModelList,
  type ModelChange,
  redactEntry,
  type SealOptions,
  type StoredModelEntry,
  type SwitchyardConfig,
  seedEntries,
} from '@switchyard/core';
import { type RedisClient, runScript } from './script-loader.ts';

export interface ModelListDoc {
  version: number;
  entries: StoredModelEntry[];
}

export interface ModelListKeys {
  doc: string;
  channel: string;
}

export function modelListKeys(namespace: string): ModelListKeys {
  return { doc: `${namespace}:models`, channel: `${namespace}:models:changed` };
}

const MAX_CAS_TRIES = 20;

export class ModelListStore {
  readonly keys: ModelListKeys;
  readonly #redis: RedisClient;

  constructor(redis: RedisClient, namespace: string) {
    this.#redis = redis;
    this.keys = modelListKeys(namespace);
  }

  /** The current document, or undefined when nothing seeded it yet. */
  async read(): Promise<ModelListDoc | undefined> {
    const [version, doc] = await this.#redis.hmget(this.keys.doc, 'version', 'doc');
    if (version == null || doc == null) return undefined;
    return { version: Number(version), entries: JSON.parse(doc) as StoredModelEntry[] };
  }

  async version(): Promise<number> {
    return Number((await this.#redis.hget(this.keys.doc, 'version')) ?? 0);
  }

  /** The list as callers may see it: no credential except env references. */
  async list(): Promise<ModelListDoc | undefined> {
    const doc = await this.read();
    return doc && { version: doc.version, entries: doc.entries.map(redactEntry) };
  }

  /**
   * One add / update / delete / replace, applied to the version read and written only if no one else wrote
   * meanwhile (else re-read and re-applied). Bad input throws ConfigError naming the field; nothing changes.
   */
  async change(change: ModelChange, opts: SealOptions): Promise<ModelListDoc> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const doc = await this.read();
      if (doc === undefined && change.op !== 'replace') {
        throw new ConfigError([
          {
            path: '',
            message: 'no model list in Redis yet: start a worker or the gateway with the config first',
          },
        ]);
      }
      const outcome = changeModelList(doc?.entries ?? [], change, opts);
      if ('issues' in outcome) throw new ConfigError(outcome.issues);
      const written = await this.#write(doc?.version ?? 0, outcome.entries, '');
      if (written !== undefined) return { version: written, entries: outcome.entries.map(redactEntry) };
    }
    throw new Error('model list changed by others too often; try again');
  }

  /**
   * The config file seeds the list. With `store_model_in_db` an existing list is kept (runtime changes
   * survive restarts); without it a file whose model_list differs from the one last seeded replaces it.
   */
  async seed(config: SwitchyardConfig): Promise<'seeded' | 'kept'> {
    const source = JSON.stringify(config.modelListSource?.entries ?? []);
    const seed = createHash('sha256').update(source).digest('hex');
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const [version, current] = await this.#redis.hmget(this.keys.doc, 'version', 'seed');
      if (version !== null && (config.switchyard.storeModelInDb || current === seed)) return 'kept';
      const written = await this.#write(Number(version ?? 0), seedEntries(config), seed);
      if (written !== undefined) return 'seeded';
    }
    throw new Error('model list changed by others too often while seeding');
  }

  async #write(expected: number, entries: StoredModelEntry[], seed: string): Promise<number | undefined> {
    const [ok, version] = (await runScript(
      this.#redis,
      'writeModelList',
      [this.keys.doc],
      [expected, JSON.stringify(entries), seed, this.keys.channel],
    )) as [number, number];
    return ok === 1 ? version : undefined;
  }
}
