// The seed configs (../shared/fixtures/seed-configs, read at test time, never copied into the repo) on a
// real stack: each model_list entry gets its own fake provider as api_base, every `os.environ/NAME` a value.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompletionError } from '@switchyard/client';
import { type Deployment, loadConfig, type SwitchyardConfig } from '@switchyard/core';
import {
  type FakeProvider,
  type FakeProviderOptions,
  type LocalStack,
  type StartRedisOptions,
  startLocalStack,
  type TestRedis,
} from '@switchyard/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared` beside the clone (CI, /work/main); a worktree under /work/wt/NAME sees it one level up. */
export const SEED_DIR =
  [join(ROOT, '../shared/fixtures/seed-configs'), join(ROOT, '../../shared/fixtures/seed-configs')].find(
    existsSync,
  ) ?? join(ROOT, '../shared/fixtures/seed-configs');

type Doc = { model_list: { litellm_params: Record<string, unknown> }[] } & Record<string, unknown>;

export interface Seed {
  name: string;
  /** The file's text, comments included. */
  text: string;
  doc: Doc;
  /** A value for every `os.environ/NAME` the file names. */
  env: Record<string, string>;
}

export function readSeed(name: string): Seed {
  const path = join(SEED_DIR, name);
  if (!existsSync(path))
    throw new Error(`seed config ${path} not found (expected ../shared beside the repo)`);
  const text = readFileSync(path, 'utf8');
  const env: Record<string, string> = {};
  for (const [, variable] of text.matchAll(/os\.environ\/([A-Za-z_][A-Za-z0-9_]*)/g))
    env[variable!] = `test-${variable!.toLowerCase()}`;
  return { name, text, doc: parse(text) as Doc, env };
}

/** The seed loaded as a worker would load it (REDIS_URL set, so the config's redis keys are not read). */
export function loadSeed(seed: Seed, env: Record<string, string> = {}): SwitchyardConfig {
  return loadConfig(structuredClone(seed.doc), { env: { ...seed.env, REDIS_URL: 'redis://unused', ...env } });
}

/** api_base of a deployment of this kind served by `fake` (OpenAI-style paths under /v1). */
function fakeBase(kind: Deployment['provider'], fake: FakeProvider): string {
  return kind === 'openai' ? `${fake.url}/v1` : fake.url;
}

/** A copy of the seed's document whose i-th deployment calls `fakes[i]`; nothing else changes. */
export function pointAtFakes(seed: Seed, fakes: readonly FakeProvider[]): Doc {
  const kinds = loadSeed(seed).deployments.map((d) => d.provider);
  const doc = structuredClone(seed.doc);
  doc.model_list.forEach((entry, i) => {
    entry.litellm_params.api_base = fakeBase(kinds[i]!, fakes[i]!);
  });
  return doc;
}

export interface SeedStackOptions {
  /** Options of the i-th deployment's fake. */
  fakes?: (index: number) => FakeProviderOptions;
  workers?: number;
  env?: Record<string, string>;
  redis?: StartRedisOptions;
  /** Workers start without REDIS_URL: `adjust` must point the config's redis keys at `redis`. */
  redisFromConfig?: boolean;
  /** Last changes to the document, e.g. the Redis port a config names. */
  adjust?: (doc: Doc, redis: TestRedis) => void;
  timeoutMs?: number;
}

export interface SeedStack extends LocalStack {
  seed: Seed;
  /** The config the workers loaded (for deployment ids). */
  config: SwitchyardConfig;
  /** Requests the i-th deployment's fake received. */
  requestsTo(index: number): number;
}

export async function startSeedStack(name: string, opts: SeedStackOptions = {}): Promise<SeedStack> {
  const seed = readSeed(name);
  let sent: Doc | undefined;
  const stack = await startLocalStack({
    fakes: seed.doc.model_list.map((_, i) => ({ name: `fake-${i}`, ...opts.fakes?.(i) })),
    config: (fakes, redis) => {
      const doc = pointAtFakes(seed, fakes);
      opts.adjust?.(doc, redis);
      sent = doc;
      return doc;
    },
    workers: opts.workers ?? 1,
    concurrency: 20,
    env: { ...seed.env, ...opts.env },
    ...(opts.redis ? { redis: opts.redis } : {}),
    ...(opts.redisFromConfig ? { redisFromConfig: true } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return {
    ...stack,
    seed,
    // Ids hash the params as the workers see them (api_base included).
    config: loadSeed({ ...seed, doc: sent! }),
    requestsTo: (index) => stack.fakes[index]!.requests.filter((r) => r.status !== undefined).length,
  };
}

/** All workers' output so far (start-up warnings, the redis line). */
export function workerOutput(stack: LocalStack): string {
  return stack.workers.map((w) => w.output()).join('\n');
}

export function chat(model: string, content = 'hello', extra: object = {}) {
  return { model, messages: [{ role: 'user', content }], ...extra };
}

/** One stack of `name` for the enclosing describe block; read it through the getter. */
export function useSeed(name: string, opts: SeedStackOptions = {}): () => SeedStack {
  let stack: SeedStack | undefined;
  beforeAll(async () => {
    stack = await startSeedStack(name, opts);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error(`stack for ${name} not started`);
    return stack;
  };
}

/** Awaits a completion that must fail, and returns its CompletionError. */
export async function failure(promise: Promise<unknown>): Promise<CompletionError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the job should have failed').toBeInstanceOf(CompletionError);
  return err as CompletionError;
}
