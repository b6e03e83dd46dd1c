// Injects: hostile job data straight onto the queue with plain `queue.add` — unknown job names,
// non-object data, wrong types, nested junk, 6 MB strings, `__proto__`/`constructor` keys, very
// deep nesting, forged `_switchyard` state, and seeded random JSON — interleaved with good jobs.
// "Nothing lost" means: every bad job ends failed with a classified reason (`BadRequestError: …`
// where the data is at fault) within bounded size, every good job succeeds, and both workers live.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { expectClassified, settleAll } from './helpers.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: (fake) => ({ model_list: [openaiDeployment(fake, 'healthy', 'healthy-model')] }),
    fake: { latencyMs: [1, 5] },
    workers: 2,
    concurrency: 10,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const MB = 1024 * 1024;
const msgs = [{ role: 'user', content: 'hi' }];

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
}

interface Case {
  label: string;
  name: string;
  data: unknown;
  /** `BadRequestError` when the data is at fault; `settles` when the request is odd but valid. */
  expect: 'BadRequestError' | 'settles';
}

const bad = (label: string, data: unknown, name = 'chat.completions'): Case => ({
  label,
  name,
  data,
  expect: 'BadRequestError',
});

/** Odd data the worker must survive; forged `_switchyard` state is ignored on a job's first run. */
const settles = (label: string, data: unknown): Case => ({
  label,
  name: 'chat.completions',
  data,
  expect: 'settles',
});

const CASES: Case[] = [
  bad('unknown name', { model: 'healthy', messages: msgs }, 'chat.completion'),
  bad('unknown name __proto__', { model: 'healthy', messages: msgs }, '__proto__'),
  bad('null data', null),
  bad('array data', [{ model: 'healthy', messages: msgs }]),
  bad('number data', 42),
  bad('string data', 'model=healthy'),
  bad('model is a number', { model: 42, messages: msgs }),
  bad('model is an array', { model: ['healthy'], messages: msgs }),
  bad('messages is a string', { model: 'healthy', messages: 'hi' }),
  bad('messages empty', { model: 'healthy', messages: [] }),
  bad('message is null', { model: 'healthy', messages: [null] }),
  bad('role is a number', { model: 'healthy', messages: [{ role: 5, content: 'x' }] }),
  bad('prompt is an object', { model: 'healthy', prompt: { a: 1 } }, 'completions'),
  bad('input is nested junk', { model: 'healthy', input: { n: [1, { x: [null] }] } }, 'embeddings'),
  bad('stream true on embeddings', { model: 'healthy', input: 'x', stream: true }, 'embeddings'),
  bad(
    'audio file that is not base64',
    { model: 'healthy', file: { filename: 'a.mp3', data: '%%%' } },
    'audio.transcriptions',
  ),
  bad('audio upload without a file', { model: 'healthy', response_format: 'text' }, 'audio.translations'),
  bad('rerank documents not a list', { model: 'healthy', query: 'q', documents: 'doc' }, 'rerank'),
  bad('speech without input', { model: 'healthy', voice: 'alloy' }, 'audio.speech'),
  bad('metadata is a string', { model: 'healthy', messages: msgs, metadata: 'eu' }),
  bad('tags are numbers', { model: 'healthy', messages: msgs, metadata: { tags: [1, 2] } }),
  bad('6 MB model name', { model: 'x'.repeat(6 * MB), messages: msgs }),
  bad('6 MB unknown job name', { model: 'healthy', messages: msgs }, 'n'.repeat(6 * MB)),
  bad('__proto__ carries the model', JSON.parse(`{"__proto__":{"model":"healthy","messages":[]}}`)),
  bad(
    '__proto__ in a message',
    JSON.parse(`{"model":"healthy","messages":[{"__proto__":{"role":"user","content":"x"}}]}`),
  ),
  settles('_switchyard is a string', { model: 'healthy', messages: msgs, _switchyard: 'garbage' }),
  settles('_switchyard plan is a number', {
    model: 'healthy',
    messages: msgs,
    _switchyard: { plan: 5, attempts: [] },
  }),
  settles('_switchyard plan junk', {
    model: 'healthy',
    messages: msgs,
    _switchyard: { plan: { group: 'healthy', excluded: 7, attempts: 'x' }, attempts: [] },
  }),
  settles('_switchyard points elsewhere', {
    model: 'healthy',
    messages: msgs,
    _switchyard: { plan: { group: 'no-such-group' }, attempts: [{}] },
  }),
  {
    label: '6 MB message content',
    name: 'chat.completions',
    data: { model: 'healthy', messages: [{ role: 'user', content: 'y'.repeat(6 * MB) }] },
    expect: 'settles',
  },
  {
    label: 'deeply nested content',
    name: 'chat.completions',
    data: { model: 'healthy', messages: [{ role: 'user', content: nested(1000) }] },
    expect: 'settles',
  },
  {
    label: 'deeply nested metadata',
    name: 'chat.completions',
    data: { model: 'healthy', messages: msgs, metadata: { junk: nested(1000) } },
    expect: 'settles',
  },
  {
    label: 'constructor.prototype and __proto__ extras',
    name: 'chat.completions',
    data: JSON.parse(
      `{"model":"healthy","messages":[{"role":"user","content":"x"}],"constructor":{"prototype":{"polluted":1}},"__proto__":{"polluted":1},"metadata":{"__proto__":{"tags":["x"]}}}`,
    ),
    expect: 'settles',
  },
];

/** Seeded random JSON: the same junk every run, so a failure reproduces. */
function fuzzCases(count: number, seed: number): Case[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const value = (depth: number): unknown => {
    const kind = pick(['null', 'bool', 'num', 'str', 'arr', 'obj', 'weird'] as const);
    if (depth > 3 && (kind === 'arr' || kind === 'obj')) return 'leaf';
    switch (kind) {
      case 'null':
        return null;
      case 'bool':
        return rnd() < 0.5;
      case 'num':
        return pick([0, -1, 1e308, -0.5, 2 ** 53 + 1]);
      case 'str':
        return pick(['', 'healthy', 'user', '\u0000', '💥'.repeat(50), '{"a":1}']);
      case 'arr':
        return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      case 'obj':
        return Object.fromEntries(
          Array.from({ length: Math.floor(rnd() * 4) }, () => [
            pick(['model', 'messages', 'role', 'content', 'prompt', 'input', 'metadata', 'tags', 'x']),
            value(depth + 1),
          ]),
        );
      case 'weird':
        return pick([{ role: 'user' }, [{ role: null, content: 'x' }], { tags: 'x' }, [[[]]]]);
    }
  };
  return Array.from({ length: count }, (_, i) => {
    const data: Record<string, unknown> = {};
    for (const key of ['model', 'messages', 'prompt', 'input', 'metadata', '_switchyard']) {
      if (rnd() < 0.6) data[key] = value(0);
    }
    return {
      label: `fuzz ${i}`,
      name: pick(['chat.completions', 'completions', 'embeddings', 'chat', 'constructor']),
      data: rnd() < 0.1 ? value(0) : data,
      expect: 'settles' as const,
    };
  });
}

/**
 * Job data as raw text, as a producer in another language could write it: Node's JSON.stringify
 * cannot even produce some of it. Written over a placeholder job's data while the queue is paused.
 */
const RAW_CASES: Case[] = [
  {
    label: '100k-deep nesting (raw)',
    name: 'chat.completions',
    data: `{"model":"healthy","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
    expect: 'settles',
  },
  bad('truncated JSON (raw)', '{"model":"healthy","messages":[{"role":"us'),
  bad('not JSON (raw)', 'model=healthy&messages=hi'),
];

async function add(c: Case): Promise<string> {
  if (!RAW_CASES.includes(c)) return (await stack.client.queue.add(c.name, c.data as object)).id!;
  const id = (await stack.client.queue.add(c.name, {})).id!;
  const redis = stack.redis.client();
  await redis.hset(stack.client.queue.toKey(id), 'data', c.data as string);
  await redis.quit();
  return id;
}

it('fails hostile jobs with classified reasons, never dies, and serves good jobs in between', async () => {
  const cases = [...RAW_CASES, ...CASES, ...fuzzCases(40, 7)];
  const good: string[] = [];
  const badIds: string[] = [];
  // Everything is queued before any of it runs, and awaited before it runs: a job whose data is not
  // JSON cannot be read back by id (getJob cannot decode it), so only its `failed` event reports it.
  await stack.client.queue.pause();
  for (const [i, c] of cases.entries()) {
    badIds.push(await add(c));
    if (i % 3 === 0)
      good.push((await stack.client.queue.add('chat.completions', chat('healthy', `good ${i}`))).id!);
  }
  const settling = Promise.all([
    settleAll(stack.client, badIds, stack.redis.url),
    settleAll(stack.client, good, stack.redis.url),
  ]);
  await stack.client.queue.resume();
  const [badOutcomes, goodOutcomes] = await settling;
  const report = badOutcomes.map((o, i) => ({
    label: cases[i]!.label,
    expect: cases[i]!.expect,
    ok: o.ok,
    reason: o.failedReason?.slice(0, 200),
    reasonLength: o.failedReason?.length ?? 0,
  }));
  for (const r of report) {
    if (r.expect === 'BadRequestError') {
      expect(r, r.label).toMatchObject({ ok: false, reason: expect.stringMatching(/^BadRequestError: \S/) });
    } else if (!r.ok) {
      expectClassified(r.reason);
    }
    // A reason echoes the input only in bounded form: a 6 MB name must not become a 6 MB reason.
    expect(r.reasonLength, r.label).toBeLessThan(2000);
  }
  expect(goodOutcomes.filter((o) => !o.ok)).toEqual([]);
  for (const w of stack.workers) expect(w.child.exitCode).toBeNull();
  const after = await stack.client.completion(chat('healthy', 'still serving'));
  expect(after.routing.deploymentId).toBe('healthy-model');
  console.info(
    `hostile-jobs: ${report.filter((r) => !r.ok).length} of ${report.length} hostile jobs failed classified, ` +
      `${report.filter((r) => r.ok).length} odd-but-valid succeeded, ${good.length} good jobs succeeded`,
  );
});
