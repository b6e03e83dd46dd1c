// The outcome events stream's writer: a batch of entries appended in one round trip (addEvents.lua).
import { EVENT_FIELDS } from '@switchyard/core';
import { type RedisClient, runScript } from './script-loader.ts';

/** Appends one stream entry per event (`type`, `payload` fields), in order; resolves with the count added. */
export async function addEvents(
  client: RedisClient,
  key: string,
  maxLen: number,
  events: readonly { type: string; payload: string }[],
): Promise<number> {
  const args: (string | number)[] = [maxLen, EVENT_FIELDS.type, EVENT_FIELDS.payload];
  for (const e of events) args.push(e.type, e.payload);
  return Number(await runScript(client, 'addEvents', [key], args));
}
