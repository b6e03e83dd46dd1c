// OpenAI Files in Redis: the File object and the bytes under two keys, both expiring after the retention.
import type { FileObject, FilePurpose } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import { BatchApiError } from './errors.ts';
import { newFileId } from './ids.ts';
import type { StoreKeys } from './keys.ts';
import { LIMIT_KNOBS } from './options.ts';

export interface PutFile {
  purpose: FilePurpose;
  filename: string;
  content: Buffer;
  /** A fixed id (a batch's output files); default a new one. */
  id?: string;
}

export class FileStore {
  readonly #redis: RedisClient;
  readonly #keys: StoreKeys;
  readonly #retentionSec: number;
  readonly #maxBytes: number;

  constructor(redis: RedisClient, keys: StoreKeys, opts: { retentionSec: number; maxFileBytes: number }) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionSec = opts.retentionSec;
    this.#maxBytes = opts.maxFileBytes;
  }

  /** The upload cap, checked by callers as bytes arrive and again here. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  tooLarge(bytes: number | undefined): BatchApiError {
    return new BatchApiError(
      400,
      'file_too_large',
      `file is ${bytes === undefined ? 'larger than the cap' : `${bytes} bytes`}; the cap is ${this.#maxBytes} bytes ` +
        `(raise it with ${LIMIT_KNOBS.maxFileBytes})`,
      'file',
    );
  }

  /** Store an upload; inputs over the cap are refused. Outputs (written by the worker) are not capped. */
  async put(file: PutFile, opts: { retentionSec?: number } = {}): Promise<FileObject> {
    if (file.purpose === 'batch' && file.content.length > this.#maxBytes)
      throw this.tooLarge(file.content.length);
    const retentionSec = opts.retentionSec ?? this.#retentionSec;
    const nowSec = Math.floor(Date.now() / 1000);
    const object: FileObject = {
      id: file.id ?? newFileId(),
      object: 'file',
      bytes: file.content.length,
      created_at: nowSec,
      expires_at: nowSec + retentionSec,
      filename: file.filename,
      purpose: file.purpose,
      status: 'processed',
      status_details: null,
    };
    await this.#redis
      .multi()
      .set(this.#keys.fileContent(object.id), file.content, 'EX', retentionSec)
      .set(this.#keys.file(object.id), JSON.stringify(object), 'EX', retentionSec)
      .zadd(this.#keys.files, object.created_at, object.id)
      .exec();
    return object;
  }

  async get(id: string): Promise<FileObject | undefined> {
    const raw = await this.#redis.get(this.#keys.file(id));
    return raw ? (JSON.parse(raw) as FileObject) : undefined;
  }

  async require(id: string): Promise<FileObject> {
    const file = await this.get(id);
    if (!file)
      throw new BatchApiError(
        404,
        'file_not_found',
        `no file ${id} (unknown, deleted or expired)`,
        'file_id',
      );
    return file;
  }

  async content(id: string): Promise<Buffer | undefined> {
    return (await this.#redis.getBuffer(this.#keys.fileContent(id))) ?? undefined;
  }

  async delete(id: string): Promise<boolean> {
    const [[, removed] = []] =
      (await this.#redis
        .multi()
        .del(this.#keys.file(id), this.#keys.fileContent(id))
        .zrem(this.#keys.files, id)
        .exec()) ?? [];
    return Number(removed) > 0;
  }

  /** Newest first; entries whose file expired are dropped from the index on the way. */
  async list(opts: { purpose?: string; limit?: number; after?: string } = {}): Promise<FileObject[]> {
    const ids = await this.#redis.zrevrange(this.#keys.files, 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.#redis.mget(ids.map((id) => this.#keys.file(id)));
    const gone = ids.filter((_, i) => raws[i] === null);
    if (gone.length > 0) await this.#redis.zrem(this.#keys.files, ...gone);
    let files = raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as FileObject);
    if (opts.purpose) files = files.filter((f) => f.purpose === opts.purpose);
    if (opts.after) {
      const at = files.findIndex((f) => f.id === opts.after);
      if (at >= 0) files = files.slice(at + 1);
    }
    return files.slice(0, opts.limit ?? 10_000);
  }
}
