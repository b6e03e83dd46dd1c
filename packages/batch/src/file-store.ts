// OpenAI Files in Redis: the File object and the bytes under two keys, both expiring after the retention.
import type { FileObject, FilePurpose } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';
import { BatchApiError } from './errors.ts';
import { newFileId } from './ids.ts';
import type { StoreKeys } from './keys.ts';
import { LIMIT_KNOBS } from './options.ts';
import { ADMIN, type Caller, ObjectOwners } from './owners.ts';

export interface PutFile {
  purpose: FilePurpose;
  filename: string;
  content: Buffer;
  /** A fixed id (a batch's output files); default a new one. */
  id?: string;
  /** The creator's key hash; none leaves the file to admins. */
  owner?: string;
}

export class FileStore {
  readonly #redis: RedisClient;
  readonly #keys: StoreKeys;
  readonly #retentionSec: number;
  readonly #maxBytes: number;
  readonly #owners: ObjectOwners;

  constructor(redis: RedisClient, keys: StoreKeys, opts: { retentionSec: number; maxFileBytes: number }) {
    this.#redis = redis;
    this.#keys = keys;
    this.#owners = new ObjectOwners(redis, keys.owners);
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
    await this.#owners
      .record(this.#redis.multi(), object.id, file.owner)
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

  /** The file, if this caller may see it: someone else's is refused exactly like one that does not exist. */
  async require(id: string, caller: Caller = ADMIN): Promise<FileObject> {
    const file = await this.get(id);
    if (!file || !(await this.#owners.mayAccess(caller, id)))
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
        .hdel(this.#keys.owners, id)
        .exec()) ?? [];
    return Number(removed) > 0;
  }

  /** Newest first, the caller's own; entries whose file expired are dropped from the index on the way. */
  async list(
    opts: { purpose?: string; limit?: number; after?: string; caller?: Caller } = {},
  ): Promise<FileObject[]> {
    const ids = await this.#redis.zrevrange(this.#keys.files, 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.#redis.mget(ids.map((id) => this.#keys.file(id)));
    const gone = ids.filter((_, i) => raws[i] === null);
    if (gone.length > 0) {
      await this.#redis.zrem(this.#keys.files, ...gone);
      await this.#owners.forget(...gone);
    }
    let files = await this.#owners.visible(
      opts.caller ?? ADMIN,
      raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as FileObject),
    );
    if (opts.purpose) files = files.filter((f) => f.purpose === opts.purpose);
    if (opts.after) {
      const at = files.findIndex((f) => f.id === opts.after);
      if (at >= 0) files = files.slice(at + 1);
    }
    return files.slice(0, opts.limit ?? 10_000);
  }
}
