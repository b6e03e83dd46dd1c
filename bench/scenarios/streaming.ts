// Streaming: what the queue adds to a stream's time to first chunk (queue + worker + Redis Stream +
// SDK reader) over reading the same fake provider directly with the same provider code, at 1 and at
// 200 concurrent streams; chunks relayed per second by one worker process; Redis commands per chunk
// as answers grow. Printed, not asserted.
import { SwitchyardClient } from '@switchyard/client';
import { loadConfig } from '@switchyard/core';
import { createProviders } from '@switchyard/providers';
import { spawnWorkers, startRedis, stopWorkers, type TestRedis, writeTempConfig } from '@switchyard/testkit';
import { commandStats, diff, total } from '../lib/commandstats.ts';
import { benchConfig, chatBody } from '../lib/config.ts';
import { type FakeProcess, startFakeProcess } from '../lib/fake-process.ts';
import { scaled } from '../lib/scale.ts';
import { fmt, type Scenario } from '../lib/scenario.ts';

const CHUNKS = 20;
const GAP_MS = 10;
const WIDE = 200;

type Chunk = Record<string, unknown>;
const hasContent = (c: Chunk) => {
  const choice = (c.choices as { delta?: { content?: unknown }; text?: unknown }[] | undefined)?.[0];
  return Boolean(choice?.delta?.content || choice?.text);
};

/** ms from the call to the first chunk with content, for `n` streams `width` at a time. */
async function ttfc(width: number, n: number, open: () => AsyncIterable<Chunk>): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      let first: number | undefined;
      for await (const c of open()) if (first === undefined && hasContent(c)) first = performance.now() - t0;
      out.push(first ?? Number.NaN);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

export const streaming: Scenario = {
  name: 'streaming',
  description:
    `Time to first chunk through Switchyard vs reading the fake directly (${CHUNKS} chunks, ${GAP_MS} ms apart), ` +
    `at 1 and ${WIDE} concurrent streams; chunks/s relayed by 1 worker process; Redis commands per chunk`,
  async run() {
    const redis: TestRedis = await startRedis();
    // In a process of its own, as a provider is: "direct" then pays the hops to it a worker pays.
    const fake: FakeProcess = await startFakeProcess({ stream: { gapMs: GAP_MS, chunks: CHUNKS } });
    const config = benchConfig(fake.url, [{ model: 'bench-a' }]);
    const deployment = loadConfig(config, { env: {} }).deployments[0]!;
    const providers = createProviders();
    const workers = await spawnWorkers({
      configPath: writeTempConfig(config),
      redisUrl: redis.url,
      count: 1,
      concurrency: WIDE + 50,
    });
    const client = new SwitchyardClient({ redisUrl: redis.url, timeoutMs: 120_000 });
    const probe = redis.client();
    await client.ready();
    const direct = () =>
      (async function* () {
        yield* await providers.stream({
          endpoint: 'chat.completions',
          body: { ...chatBody(0), stream: true },
          deployment,
          signal: new AbortController().signal,
        });
      })();
    let i = 0;
    const queued = () => client.stream(chatBody(i++));
    const rows: (string | number)[][] = [];
    const lines: string[] = [];
    const data: Record<string, unknown> = {};
    try {
      await ttfc(10, 50, queued); // warm-up: connections, JIT, script loading
      await ttfc(10, 50, direct);
      for (const [width, n] of [
        [1, scaled(300, 30)],
        [WIDE, scaled(1000, WIDE)],
      ] as const) {
        const d = await ttfc(width, n, direct);
        const s = await ttfc(width, n, queued);
        const m = {
          directP50: pct(d, 50),
          directP99: pct(d, 99),
          switchyardP50: pct(s, 50),
          switchyardP99: pct(s, 99),
        };
        data[`ttfc_${width}`] = m;
        rows.push([
          `${width} concurrent`,
          n,
          fmt(m.directP50),
          fmt(m.directP99),
          fmt(m.switchyardP50),
          fmt(m.switchyardP99),
          fmt(m.switchyardP50 - m.directP50),
          fmt(m.switchyardP99 - m.directP99),
        ]);
        lines.push(
          `${width} concurrent: added time to first chunk p50 +${fmt(m.switchyardP50 - m.directP50)} ms, ` +
            `p99 +${fmt(m.switchyardP99 - m.directP99)} ms (direct p50 ${fmt(m.directP50)} ms)`,
        );
      }

      // Relay rate and Redis cost: results awaited, nobody reads the streams (the worker's side only).
      const relay: Record<string, unknown>[] = [];
      for (const [chunks, gapMs, jobs] of [
        [20, 0, scaled(400, 40)],
        [200, 0, scaled(100, 10)],
        [1000, 0, scaled(40, 4)],
        [200, 2, scaled(50, 10)],
      ] as const) {
        await fake.script([{ stream: { chunks, gapMs } }]);
        const before = await commandStats(probe);
        const t0 = performance.now();
        const ids = await client.enqueueBatch(
          Array.from({ length: jobs }, (_, k) => ({ body: { ...chatBody(k), stream: true } })),
        );
        await Promise.all(ids.map((id) => client.result(id)));
        const seconds = (performance.now() - t0) / 1000;
        const counts = diff(await commandStats(probe), before);
        const all = jobs * chunks;
        const writes = (counts.xadd ?? 0) + (counts.pexpire ?? 0);
        const r = {
          chunks,
          gapMs,
          jobs,
          chunksPerSec: Math.round(all / seconds),
          streamWritesPerChunk: writes / all,
          allCommandsPerChunk: total(counts) / all,
        };
        relay.push(r);
        lines.push(
          `${chunks} chunks/answer, gap ${gapMs} ms: ${r.chunksPerSec} chunks/s through 1 worker; ` +
            `stream writes ${fmt(r.streamWritesPerChunk, 3)}/chunk, all Redis commands ${fmt(r.allCommandsPerChunk, 3)}/chunk`,
        );
      }
      data.relay = relay;
    } finally {
      probe.disconnect();
      await client.close();
      await stopWorkers(workers);
      await providers.close();
      await fake.close();
      await redis.stop();
    }
    return {
      lines,
      table: {
        header: [
          'streams',
          'n',
          'direct p50 ms',
          'direct p99 ms',
          'switchyard p50 ms',
          'switchyard p99 ms',
          'added p50 ms',
          'added p99 ms',
        ],
        rows,
      },
      checks: [],
      data,
      notes: [
        'Time to first chunk is from the call to the first chunk with content; "direct" reads the fake with the same provider code from the bench process, the fake runs in a process of its own (as a provider would), so both pay the same hops to it.',
        'Chunks/s and commands per chunk come from jobs whose streams nobody reads: the worker side of the relay only.',
      ],
    };
  },
};
