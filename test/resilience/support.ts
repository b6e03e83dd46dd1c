// Small helpers shared by the resilience suites: what the fake saw, and what a failed job left behind.
import { createServer } from 'node:net';
import { CompletionError, type RoutingInfo, type SwitchyardClient } from '@switchyard/client';
import type { FakeProvider, FakeRequestRecord } from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type Stack, type StackOptions, startStack } from '../integration/harness.ts';

/** Requests the fake received for one model key, oldest first. */
export function requestsTo(fake: FakeProvider, model: string): FakeRequestRecord[] {
  return fake.requests.filter((r) => r.model === model);
}

/** Awaits a promise that must reject with a CompletionError, and returns that error. */
export async function failureOf(promise: Promise<unknown>): Promise<CompletionError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the job should have failed').toBeInstanceOf(CompletionError);
  return err as CompletionError;
}

/** The attempts a job recorded in its data (`_switchyard.attempts`), failed jobs included. */
export async function recordedAttempts(
  client: SwitchyardClient,
  jobId: string,
): Promise<RoutingInfo['attempts']> {
  const job = await client.queue.getJob(jobId);
  const data = job?.data as { _switchyard?: { attempts: RoutingInfo['attempts'] } } | undefined;
  return data?._switchyard?.attempts ?? [];
}

/** A loopback port nothing listens on (bound, then released): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

/**
 * One stack for the enclosing describe block (or file): started before its tests, stopped after them,
 * and the fake's scripts, counters and request log cleared before each test. Read it through the getter.
 */
export function useStack(opts: StackOptions): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(opts);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    stack?.fake.reset();
  });
  return () => {
    if (!stack) throw new Error('stack not started');
    return stack;
  };
}

export const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Polls `check` every 20 ms until it holds. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(20);
  }
}
