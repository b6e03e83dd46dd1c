// Shared pieces of the fault suite: waiting, settling job ids, and checking the failure contract.
import type { SwitchyardClient } from '@switchyard/client';
import { ERROR_TYPES } from '@switchyard/core';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { expect } from 'vitest';

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Outcome {
  id: string;
  ok: boolean;
  value?: Record<string, unknown>;
  /** The job's raw failedReason, read from Redis (the client's CompletionError normalises unknown prefixes). */
  failedReason?: string;
}

/** Awaits every job id through the client, then reads failures' raw reasons from the stored jobs. */
export async function settleAll(
  client: SwitchyardClient,
  ids: readonly string[],
  redisUrl: string,
): Promise<Outcome[]> {
  const settled = await Promise.allSettled(ids.map((id) => client.result(id)));
  const redis = new Redis(redisUrl);
  try {
    return await Promise.all(
      settled.map(async (s, i): Promise<Outcome> => {
        const id = ids[i]!;
        if (s.status === 'fulfilled') return { id, ok: true, value: s.value };
        // Straight from the job hash: some hostile jobs' data cannot even be decoded by getJob.
        const reason = await redis.hget(client.queue.toKey(id), 'failedReason');
        return { id, ok: false, failedReason: reason ?? String(s.reason) };
      }),
    );
  } finally {
    redis.disconnect();
  }
}

const CLASSIFIED = new RegExp(`^(${ERROR_TYPES.join('|')}): \\S`);

/** The contract's failure format: a taxonomy name, a colon, a message. */
export function expectClassified(reason: string | undefined) {
  expect(reason ?? '').toMatch(CLASSIFIED);
}

/** Counts `completed` / `failed` events per job id, as every awaiting caller would see them. */
export class SettlementLog {
  readonly completed = new Map<string, number>();
  readonly failed = new Map<string, number>();
  readonly #events: QueueEvents;
  readonly #redis: Redis;

  constructor(redisUrl: string, queue = 'switchyard') {
    this.#redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.#events = new QueueEvents(queue, { connection: this.#redis });
    this.#events.on('completed', ({ jobId }) => bump(this.completed, jobId));
    this.#events.on('failed', ({ jobId }) => bump(this.failed, jobId));
    this.#events.on('error', () => {});
  }

  ready() {
    return this.#events.waitUntilReady();
  }

  async close() {
    await this.#events.close();
    this.#redis.disconnect();
  }
}

function bump(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}
