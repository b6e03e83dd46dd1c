// Delivers outcome events to the capped Redis Stream: a batch is one script call (addEvents.lua) that
// appends one entry per event with XADD … MAXLEN ~, in order.
import type { OutcomeEventType, StandardLoggingPayload } from '@switchyard/core';
import { addEvents, type RedisClient } from '@switchyard/redis-state';

export interface EventEntry {
  type: OutcomeEventType;
  payload: StandardLoggingPayload;
}

export function streamDeliverer(redis: RedisClient, key: string, maxLen: number) {
  return async (batch: EventEntry[]): Promise<void> => {
    await addEvents(
      redis,
      key,
      maxLen,
      batch.map((e) => ({ type: e.type, payload: JSON.stringify(e.payload) })),
    );
  };
}
