// Redis keys of the batch store, beside the queue's own: `<prefix>:<queue>:sy:…`. BullMQ job ids
// cannot contain ':', so no job's keys can collide with these.

export interface StoreKeys {
  file(id: string): string;
  fileContent(id: string): string;
  /** Sorted set: file id → created_at (for listing). */
  files: string;
  batch(id: string): string;
  /** JSON: the request slots and the refused lines, kept until the batch is finalized. */
  plan(id: string): string;
  /** Set by the expire job: the batch's deadline passed before all requests settled. */
  expired(id: string): string;
  /** Sorted set: batch id → created_at (for listing). */
  batches: string;
  /** Hash: file or batch id → the hash of the key that created it. */
  owners: string;
}

export function storeKeys(prefix: string, queueName: string): StoreKeys {
  const base = `${prefix}:${queueName}:sy`;
  return {
    file: (id) => `${base}:file:${id}`,
    fileContent: (id) => `${base}:file:${id}:content`,
    files: `${base}:files`,
    batch: (id) => `${base}:batch:${id}`,
    plan: (id) => `${base}:batch:${id}:plan`,
    expired: (id) => `${base}:batch:${id}:expired`,
    batches: `${base}:batches`,
    owners: `${base}:owners`,
  };
}
