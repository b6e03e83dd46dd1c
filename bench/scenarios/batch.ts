// Batch: an OpenAI batch (upload + /v1/batches through the gateway, official SDK) against rpm-limited
// deployments, with an interactive caller on the same group throughout. The batch should finish at the
// configured rate with no provider 429s, and the interactive request should wait about one slot, not
// for the backlog: its latency during the batch is compared with the same request on an idle system.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI, { toFile } from 'openai';
import { chatBody, GROUP } from '../lib/config.ts';
import { CONCURRENCY, startPacedStack, WINDOW_MS, WORKERS } from '../lib/paced-stack.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

/** Requests per 5 s window: 200 + 100 → 60 requests/s; 2,000 lines ≈ 33 s. */
const RPM_A = 200;
const RPM_B = 100;
const IDLE_SAMPLES = 30;
/** Gap between interactive requests while the batch runs (one caller, one request at a time). */
const INTERACTIVE_GAP_MS = 200;

export const batch: Scenario = {
  name: 'batch',
  description:
    `A ${scaled(2000, 100)}-line OpenAI batch through the gateway (SDK files.create + batches.create) on ${WORKERS} ` +
    `workers × ${CONCURRENCY} against 2 deployments limited by rpm (${RPM_A}, ${RPM_B} per ${WINDOW_MS / 1000} s window), ` +
    'with one interactive caller on the same group; wall time vs ideal, provider 429s, utilisation, ' +
    'interactive latency during the batch vs idle, gateway and Redis memory',
  async run() {
    const lines = scaled(2000, 100);
    const queueName = 'bench-batch';
    const stack = await startPacedStack({ queueName, rpm: { 'batch-a': RPM_A, 'batch-b': RPM_B } });
    const { redis, fake } = stack;
    let gateway: { child: ChildProcess; url: string } | undefined;
    const probe = redis.client();
    const memory = { gatewayRssMb: 0, redisUsedMb: 0 };
    const sampleMemory = async () => {
      if (gateway) memory.gatewayRssMb = Math.max(memory.gatewayRssMb, rssMb(gateway.child.pid));
      const info = await probe.info('memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      memory.redisUsedMb = Math.max(memory.redisUsedMb, used / 2 ** 20);
    };
    try {
      gateway = await spawnGateway(redis.url, queueName);
      const sdk = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      const ask = async (i: number) => {
        const t0 = performance.now();
        await sdk.chat.completions.create(chatBody(i) as never);
        return performance.now() - t0;
      };

      // The same request on an idle system, first (its capacity use is over by the time the batch starts).
      const idle: number[] = [];
      for (let i = 0; i < IDLE_SAMPLES; i++) idle.push(await ask(i));
      await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
      const before = fake.stats();
      await sampleMemory();

      const text = Array.from({ length: lines }, (_, i) =>
        JSON.stringify({
          custom_id: `doc-${i}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: chatBody(i),
        }),
      ).join('\n');
      const file = await sdk.files.create({
        file: await toFile(Buffer.from(text), 'docs.jsonl'),
        purpose: 'batch',
      });
      const t0 = performance.now();
      const created = await sdk.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      const createMs = performance.now() - t0;

      let running = true;
      const during: number[] = [];
      const interactive = (async () => {
        for (let i = 0; running; i++) {
          during.push(await ask(100_000 + i));
          await new Promise((r) => setTimeout(r, INTERACTIVE_GAP_MS));
        }
      })();
      let status = created;
      while (status.status !== 'completed' && status.status !== 'failed') {
        await new Promise((r) => setTimeout(r, 100));
        status = await sdk.batches.retrieve(created.id);
        void sampleMemory();
      }
      const wallMs = performance.now() - t0;
      running = false;
      await interactive;
      await sampleMemory();
      const after = fake.stats();
      const output = await (await sdk.files.content(status.output_file_id!)).text();

      const served = after.total.requests - before.total.requests;
      const rateLimited = after.total.rateLimited - before.total.rateLimited;
      const perWindow = RPM_A + RPM_B;
      const idealMs = (lines / perWindow) * WINDOW_MS;
      // Interactive requests during the batch used the same capacity: utilisation counts every request served.
      const utilisation = (served - rateLimited) / ((perWindow * wallMs) / WINDOW_MS);
      // The same from the moment the flow exists (create has parsed the file and added every request).
      const runMs = wallMs - createMs;
      const runUtilisation = (served - rateLimited) / ((perWindow * runMs) / WINDOW_MS);
      const outputLines = output.trim().split('\n').length;
      const p = (xs: number[], q: number) => {
        const s = [...xs].sort((a, b) => a - b);
        return s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))] ?? Number.NaN;
      };
      const idleP50 = p(idle, 50);
      const idleP99 = p(idle, 99);
      const duringP50 = p(during, 50);
      const duringP99 = p(during, 99);
      return {
        lines: [
          `batch of ${lines} lines ${status.status} in ${fmt(wallMs / 1000, 1)} s (create ${fmt(createMs / 1000, 2)} s); ` +
            `ideal (lines / configured rate) ${fmt(idealMs / 1000, 1)} s → ${fmt(wallMs / idealMs)}× ideal`,
          `request_counts ${JSON.stringify(status.request_counts)}; output file ${outputLines} lines`,
          `provider 429s: ${rateLimited}; utilisation of configured capacity: ${fmt(utilisation * 100, 1)} % ` +
            `from the create request, ${fmt(runUtilisation * 100, 1)} % once the flow exists ` +
            `(${served} requests served incl. ${during.length} interactive)`,
          `interactive latency idle p50 ${fmt(idleP50, 1)} ms, p99 ${fmt(idleP99, 1)} ms; during the batch ` +
            `p50 ${fmt(duringP50, 1)} ms, p99 ${fmt(duringP99, 1)} ms (${during.length} requests)`,
          `peak memory: gateway process RSS ${fmt(memory.gatewayRssMb, 0)} MB; ` +
            `Redis used_memory ${fmt(memory.redisUsedMb, 1)} MB`,
        ],
        table: {
          header: ['measure', 'value', 'reference'],
          rows: [
            [
              'wall time',
              `${fmt(wallMs / 1000, 1)} s`,
              `ideal ${fmt(idealMs / 1000, 1)} s (${fmt(wallMs / idealMs)}×)`,
            ],
            ['provider 429s', rateLimited, '0'],
            ['utilisation of configured rate', `${fmt(utilisation * 100, 1)} %`, '≥ 95 %'],
            ['… once the flow exists (after create)', `${fmt(runUtilisation * 100, 1)} %`, ''],
            ['interactive p50', `${fmt(duringP50, 1)} ms`, `idle ${fmt(idleP50, 1)} ms`],
            ['interactive p99', `${fmt(duringP99, 1)} ms`, `idle ${fmt(idleP99, 1)} ms`],
            ['gateway process RSS (peak)', `${fmt(memory.gatewayRssMb, 0)} MB`, ''],
            ['Redis used_memory (peak)', `${fmt(memory.redisUsedMb, 1)} MB`, ''],
          ],
        },
        checks: [
          check('batch: completed lines', status.request_counts?.completed ?? 0, '>=', lines),
          check('batch: provider 429s', rateLimited, '<=', 0),
          check('batch: utilisation of configured capacity %', Number(fmt(utilisation * 100, 1)), '>=', 95),
        ],
        data: {
          lines,
          group: GROUP,
          wallMs: Math.round(wallMs),
          createMs: Math.round(createMs),
          idealMs: Math.round(idealMs),
          rateLimited,
          served,
          utilisation,
          runUtilisation,
          requestCounts: status.request_counts,
          interactive: { idle, during, idleP50, idleP99, duringP50, duringP99 },
          memory,
        },
        notes: [
          `Window shortened to ${WINDOW_MS / 1000} s (SWITCHYARD_WINDOW_MS and the fake's rateWindowMs) so the run takes about a minute; ` +
            `BENCH_SCALE=5 gives the 10,000-line batch.`,
          `Interactive: one caller, one chat request at a time with a ${INTERACTIVE_GAP_MS} ms gap, through the same gateway ` +
            'and group; its requests share the capacity, so they are counted in utilisation.',
        ],
      };
    } finally {
      probe.disconnect();
      if (gateway && gateway.child.exitCode === null) {
        const exited = new Promise((r) => gateway!.child.once('exit', r));
        gateway.child.kill('SIGTERM');
        await exited;
      }
      await stack.stop();
    }
  },
};

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');

/** The real `switchyard gateway` in its own process, so its memory is its own. */
async function spawnGateway(
  redisUrl: string,
  queueName: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'gateway', '--port', '0', '--queue', queueName], {
    env: { ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited ${code} before it was ready`)));
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'ready' && m.url) resolve(m.url);
    });
  });
  return { child, url };
}

/** Resident memory of a process (Linux /proc); NaN elsewhere. */
function rssMb(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
