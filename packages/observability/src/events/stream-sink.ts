// Delivers outcome events to the capped Redis Stream: one pipeline of XADD … MAXLEN ~ per batch.
import { EVENT_FIELDS, type OutcomeEventType, type StandardLoggingPayload } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';

export interface EventEntry {
  type: OutcomeEventType;
  payload: StandardLoggingPayload;
}

export function streamDeliverer(redis: RedisClient, key: string, maxLen: number) {
  return async (batch: EventEntry[]): Promise<void> => {
    const pipeline = redis.pipeline();
    for (const e of batch) {
      pipeline.xadd(
        key,
        'MAXLEN',
        '~',
        maxLen,
        '*',
        EVENT_FIELDS.type,
        e.type,
        EVENT_FIELDS.payload,
        JSON.stringify(e.payload),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  };
}
