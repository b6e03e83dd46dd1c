// Small helpers shared by the resilience suites: what the fake saw, and what a failed job left behind.
import { createServer } from 'node:net';
import { CompletionError, type RoutingInfo, type SwitchyardClient } from '@switchyard/client';
import type { FakeProvider, FakeRequestRecord } from '@switchyard/testkit';
import { expect } from 'vitest';

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
