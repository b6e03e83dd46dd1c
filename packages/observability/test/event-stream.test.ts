// The events stream written in batches (one addEvents script call per batch, after a linger): whatever the
// bursts, every event arrives once, as its own entry, in the order observed — and close() writes what waits.
import { eventsStreamKey, loadConfig, parseEventEntry } from '@switchyard/core';
import { useTestRedis } from '@switchyard/testkit/vitest';
import { describe, expect, it } from 'vitest';
import { createOutcomeEvents } from '../src/events/from-config.ts';
import { OutcomeEvents } from '../src/events/outcome-events.ts';
import { streamDeliverer } from '../src/events/stream-sink.ts';
import type { JobObservation } from '../src/observation.ts';

const db = useTestRedis();

const deployment = {
  id: 'dep-1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  litellmModel: 'openai/gpt-4o-mini',
  apiBase: 'https://api.example.com/v1',
};

/** A job's one successful call: one `success` event whose id is `<job>:0:success`. */
function success(jobId: string): JobObservation {
  return {
    kind: 'call',
    jobId,
    endpoint: 'chat.completions',
    requestedGroup: 'g',
    group: 'g',
    attemptIndex: 0,
    enqueuedAtMs: 1,
    activatedAtMs: 2,
    firstActivation: true,
    deployment,
    startMs: 3,
    endMs: 4,
    latencyMs: 1,
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    cost: 0,
    mocked: false,
    next: { action: 'done' },
  };
}

async function streamEvents(queueName: string) {
  const entries = await db.client.xrange(eventsStreamKey({ queueName }), '-', '+');
  return entries.map(([id, fields]) => parseEventEntry(id, fields));
}

async function outcomeEvents(queueName: string) {
  const config = loadConfig({
    model_list: [{ model_name: 'g', litellm_params: { model: 'openai/gpt-4o-mini', api_key: 'k' } }],
    switchyard_settings: { events: true },
  });
  const drops: string[] = [];
  const events = await createOutcomeEvents({
    config,
    redis: db.client,
    queueName,
    onDrop: (name, n, reason) => drops.push(`${name} ${n} ${reason}`),
  });
  return { events: events!, drops };
}

describe('the events stream, written in batches', () => {
  it('bursts from one worker all arrive, in order, one entry each', async () => {
    const { events, drops } = await outcomeEvents('bursts');
    // Bursts of different sizes across event-loop turns, more in all than one batch holds (500).
    const ids: string[] = [];
    for (const burst of [1, 7, 300, 2, 450, 40]) {
      for (let i = 0; i < burst; i++) {
        const id = `job-${ids.length}`;
        ids.push(id);
        events.observe(success(id));
      }
      await new Promise((r) => setImmediate(r));
    }
    await events.flush();
    const written = await streamEvents('bursts');
    expect(written.map((e) => e?.payload.trace_id)).toEqual(ids);
    expect(
      written.every((e) => e?.type === 'success' && e.payload.id === `${e.payload.trace_id}:0:success`),
    ).toBe(true);
    expect(drops).toEqual([]);
  });

  it('events still lingering when the worker closes are written by flush()', async () => {
    const key = eventsStreamKey({ queueName: 'closing' });
    // A linger no test outlives: only flush() can send these.
    const events = new OutcomeEvents({
      sinks: [
        {
          name: 'redis_stream',
          success: true,
          failure: true,
          deliver: streamDeliverer(db.client, key, 100),
          lingerMs: 600_000,
        },
      ],
      onDrop: () => {},
    });
    events.observe(success('a'));
    events.observe(success('b'));
    await new Promise((r) => setImmediate(r));
    expect(await streamEvents('closing')).toEqual([]);
    await events.flush();
    expect((await streamEvents('closing')).map((e) => e?.payload.trace_id)).toEqual(['a', 'b']);
  });
});
