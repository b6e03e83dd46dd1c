// Where a logical queue lives: its shards' BullMQ prefixes, a job id's shard, the Cluster prefix rule.
import { describe, expect, it } from 'vitest';
import { clusterPrefixIssue, hashTagOf, queueShards, shardOfJobId } from '../src/index.ts';

describe('queue shards', () => {
  it('keeps one queue as configured and gives each of N shards its own hash tag', () => {
    expect(queueShards({})).toEqual([{ index: 0, name: 'switchyard', prefix: 'bull' }]);
    expect(queueShards({ queueName: 'q', queuePrefix: '{sy}', queueShards: 3 }).map((s) => s.prefix)).toEqual(
      ['{sy:0}', '{sy:1}', '{sy:2}'],
    );
    expect(queueShards({ queueShards: 2 }).map((s) => hashTagOf(s.prefix))).toEqual(['bull:0', 'bull:1']);
  });

  it('puts a job id on the same shard every time, spreading ids over all shards', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `job-${i}`);
    const counts = [0, 0, 0];
    for (const id of ids) counts[shardOfJobId(id, 3)]! += 1;
    expect(counts.every((n) => n > 60)).toBe(true);
    expect(shardOfJobId('job-7', 3)).toBe(shardOfJobId('job-7', 3));
    expect(shardOfJobId('anything', 1)).toBe(0);
  });

  it('refuses an untagged prefix on a cluster', () => {
    expect(clusterPrefixIssue({})?.path).toBe('switchyard_settings.queue_prefix');
    expect(clusterPrefixIssue({ queuePrefix: '{sy}' })).toBeUndefined();
    expect(clusterPrefixIssue({ queueShards: 3 })).toBeUndefined();
  });
});
