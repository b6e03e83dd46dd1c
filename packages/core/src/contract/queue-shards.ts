// Where one logical queue lives in Redis: its BullMQ queue(s) and their key prefixes. On Redis Cluster every
// BullMQ script touches the keys of one queue, so a queue's prefix must carry a hash tag (`{sy}`, as BullMQ's
// docs say); with `queue_shards: N` each shard gets its own tag, so the shards spread over the cluster's nodes.
import { DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_PREFIX } from './defaults.ts';

export interface QueueShard {
  index: number;
  /** BullMQ queue name (the same for every shard: the logical queue's). */
  name: string;
  /** BullMQ key prefix: the configured one for a single queue, `{<tag>:<i>}` for shard i of several. */
  prefix: string;
}

export interface QueueLayout {
  queueName?: string;
  queuePrefix?: string | undefined;
  /** `switchyard_settings.queue_shards`. @defaultValue 1 */
  queueShards?: number | undefined;
}

/** Redis's rule: the text between the first `{` and the next `}`, when not empty. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

export function queueShards(layout: QueueLayout): QueueShard[] {
  const name = layout.queueName ?? DEFAULT_QUEUE_NAME;
  const prefix = layout.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  const count = layout.queueShards ?? 1;
  if (count <= 1) return [{ index: 0, name, prefix }];
  const tag = hashTagOf(prefix) ?? prefix;
  return Array.from({ length: count }, (_, index) => ({ index, name, prefix: `{${tag}:${index}}` }));
}

/**
 * The shard a job id belongs to: FNV-1a of the id, modulo the shard count. Producers pick the shard this way
 * for every job (the SDK and gateway give each job a random UUID id when the caller gives none), so anyone
 * holding a job id finds its shard without a lookup.
 */
export function shardOfJobId(jobId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    hash ^= jobId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** On Redis Cluster a BullMQ prefix without a hash tag spreads one queue's keys over slots (CROSSSLOT). */
export function clusterPrefixIssue(layout: QueueLayout): { path: string; message: string } | undefined {
  const prefix = layout.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  if (hashTagOf(prefix) !== undefined || (layout.queueShards ?? 1) > 1) return undefined;
  return {
    path: 'switchyard_settings.queue_prefix',
    message: `Redis Cluster needs a hash-tagged BullMQ prefix such as "{${prefix}}" (got "${prefix}"), or queue_shards > 1`,
  };
}
