// The worker's side of a job's Redis Stream: what a reader finds, and how many round trips it waited for.
import { decodeStreamEvent, type StreamChunk } from '@switchyard/core';
import { useTestRedis } from '@switchyard/testkit/vitest';
import { describe, expect, it } from 'vitest';
import { StreamWriter } from '../src/stream-writer.ts';

const db = useTestRedis();

const chunk = (content: string): StreamChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

function writer(key: string) {
  return new StreamWriter(db.client, { key, maxEntries: 100, liveTtlMs: 60_000, finalTtlMs: 30_000 });
}

async function events(key: string) {
  return (await db.client.xrange(key, '-', '+')).map(([, fields]) => decodeStreamEvent(fields));
}

describe('StreamWriter', () => {
  it('writes the start event with the chunks held before it in one round trip', async () => {
    const w = writer('s:held');
    w.event({ type: 'start', modelGroup: 'g', deploymentId: 'd', provider: 'openai' });
    w.push(chunk('Hel'));
    w.push(chunk('lo'));
    await w.flush();
    expect(w.roundTrips).toBe(1);
    expect((await events('s:held')).map((e) => e?.type)).toEqual(['start', 'chunks']);
    const [, chunks] = await events('s:held');
    expect(chunks?.type === 'chunks' && chunks.chunks.length).toBe(2);
    expect(await db.client.pttl('s:held')).toBeGreaterThan(30_000);
  });

  it('wakes a reader blocked on the stream once, with the start event and the held chunks together', async () => {
    const reader = db.client.duplicate();
    const read = reader.xread('BLOCK', 5000, 'STREAMS', 's:woken', '0-0');
    await new Promise((r) => setTimeout(r, 50)); // the XREAD is blocked before anything is written
    const w = writer('s:woken');
    w.event({ type: 'start', modelGroup: 'g', deploymentId: 'd', provider: 'openai' });
    w.push(chunk('Hi'));
    await w.flush();
    const got = await read;
    reader.disconnect();
    expect(got?.[0]?.[1].map(([, fields]) => decodeStreamEvent(fields)?.type)).toEqual(['start', 'chunks']);
  });

  it('keeps every chunk in order across writes and ends with the final expiry', async () => {
    const w = writer('s:order');
    w.event({ type: 'start', modelGroup: 'g', deploymentId: 'd', provider: 'openai' });
    for (let i = 0; i < 50; i++) {
      w.push(chunk(String(i)));
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await w.end({ type: 'done', routing: {} as never });
    const all = await events('s:order');
    const contents = all.flatMap((e) =>
      e?.type === 'chunks'
        ? e.chunks.map((c) => (c.choices as { delta: { content: string } }[])[0]!.delta.content)
        : [],
    );
    expect(contents).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(all.at(-1)?.type).toBe('done');
    expect(w.roundTrips).toBeLessThan(all.length);
    expect(await db.client.pttl('s:order')).toBeLessThanOrEqual(30_000);
  });
});
