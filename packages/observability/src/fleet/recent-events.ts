// The newest entries of the outcome event stream (XREVRANGE), newest first: what the dashboard sums.
import { type OutcomeEvent, parseEventEntry } from '@switchyard/core';
import type { RedisClient } from '@switchyard/redis-state';

/** Entries read per dashboard refresh: enough for rates, small enough to read every second. */
export const RECENT_EVENTS = 500;

export async function recentEvents(
  redis: RedisClient,
  key: string,
  count = RECENT_EVENTS,
): Promise<OutcomeEvent[]> {
  const entries = (await redis.xrevrange(key, '+', '-', 'COUNT', count)) as [string, string[]][];
  return entries.flatMap(([id, fields]) => {
    const event = parseEventEntry(id, fields);
    return event ? [event] : [];
  });
}
