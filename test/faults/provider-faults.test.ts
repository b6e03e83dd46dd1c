// Injects: deployments that hang (deployment `timeout: 1`, as for drip), drip their body slowly, answer 200 with
// malformed or truncated JSON, answer 200 with an error body, reset the connection, refuse it
// (nothing listening), or flap between healthy and failing.
// "Nothing lost" means: every job settles — a faulty group alone fails with a classified reason
// (`<TaxonomyName>: …`), the same fault with a fallback succeeds on the backup and records the
// classified attempt, a flapping deployment is retried through — and no worker crashes.
import { freePort } from '@switchyard/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat, openaiDeployment, type Stack, startStack } from '../integration/harness.ts';
import { expectClassified, settleAll } from './helpers.ts';

const FAULTS = {
  hang: { kind: 'hang' },
  drip: { kind: 'drip', bytesPerTick: 1, intervalMs: 100 },
  malformed: { kind: 'malformed' },
  truncated: { kind: 'truncated' },
  'error-body': { kind: 'error-body' },
  reset: { kind: 'reset', afterBytes: 10 },
  refused: undefined, // the deployment points at a port nobody listens on
} as const;
type FaultName = keyof typeof FAULTS;
const NAMES = Object.keys(FAULTS) as FaultName[];

let stack: Stack;

beforeAll(async () => {
  const closedPort = await freePort();
  stack = await startStack({
    config: (fake) => {
      // Each fault gets two deployments: one alone in its group, one whose group falls back to `backup`.
      const faulty = (fault: FaultName, group: string, model: string) => {
        // Only the slow faults need a short timeout; on a loaded machine 1 s also cut a `reset` short (Timeout).
        const slow = fault === 'hang' || fault === 'drip';
        const d = openaiDeployment(fake, group, model, { timeout: slow ? 1 : 20 });
        if (fault === 'refused') d.litellm_params.api_base = `http://127.0.0.1:${closedPort}/v1`;
        return d;
      };
      return {
        model_list: [
          openaiDeployment(fake, 'backup', 'backup-model'),
          openaiDeployment(fake, 'flappy', 'flap-model', { num_retries: 3 }),
          ...NAMES.flatMap((f) => [faulty(f, `solo-${f}`, `${f}-solo`), faulty(f, `fb-${f}`, `${f}-fb`)]),
        ],
        router_settings: {
          num_retries: 1,
          fallbacks: NAMES.map((f) => ({ [`fb-${f}`]: ['backup'] })),
        },
      };
    },
    fake: {
      latencyMs: [1, 5],
      rules: [
        ...NAMES.flatMap((f) => {
          const fault = FAULTS[f];
          return fault ? [`${f}-solo`, `${f}-fb`].map((model) => ({ match: { model }, fault })) : [];
        }),
        { match: { model: 'flap-model' }, flapEvery: 2, fault: { kind: 'error', status: 500 } },
      ],
    },
    workers: 2,
    concurrency: 20,
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('settles every job on a faulty provider as a fallback success or a classified failure', async () => {
  const enqueue = (group: string, n: number) =>
    stack.client.enqueueBatch(Array.from({ length: n }, (_, i) => ({ body: chat(group, `${group} ${i}`) })));
  const solo = await Promise.all(NAMES.map((f) => enqueue(`solo-${f}`, 2)));
  const fb = await Promise.all(NAMES.map((f) => enqueue(`fb-${f}`, 2)));
  const flappy = await enqueue('flappy', 8);

  const [soloOut, fbOut, flapOut] = await Promise.all([
    Promise.all(solo.map((ids) => settleAll(stack.client, ids, stack.redis.url))),
    Promise.all(fb.map((ids) => settleAll(stack.client, ids, stack.redis.url))),
    settleAll(stack.client, flappy, stack.redis.url),
  ]);

  const observed: Record<string, string[]> = {};
  for (const [i, f] of NAMES.entries()) {
    for (const o of soloOut[i]!) {
      expect(o.ok, `solo-${f} must fail`).toBe(false);
      expectClassified(o.failedReason);
    }
    observed[f] = soloOut[i]!.map((o) => o.failedReason!.split(':')[0]!);
    for (const o of fbOut[i]!) {
      expect(o.ok, `fb-${f} must succeed on the backup: ${o.failedReason}`).toBe(true);
      const routing = o.value!.routing as {
        deploymentId: string;
        attempts: { deploymentId: string; error?: { type: string } }[];
      };
      expect(routing.deploymentId).toBe('backup-model');
      expect(routing.attempts[0]!.deploymentId).toBe(`${f}-fb`);
      expectClassified(`${routing.attempts[0]!.error?.type}: x`);
    }
  }
  // Each fault maps onto one class, the same for every job.
  const twice = (type: string) => [type, type];
  expect(observed).toEqual({
    hang: twice('Timeout'),
    drip: twice('Timeout'),
    malformed: twice('InternalServerError'),
    truncated: twice('InternalServerError'),
    'error-body': twice('InternalServerError'),
    reset: twice('APIConnectionError'),
    refused: twice('APIConnectionError'),
  });

  for (const o of flapOut) if (!o.ok) expectClassified(o.failedReason);
  const retriedThrough = flapOut.filter(
    (o) => o.ok && (o.value!.routing as { attempts: unknown[] }).attempts.length > 1,
  );
  expect(retriedThrough.length).toBeGreaterThanOrEqual(1);

  for (const w of stack.workers) expect(w.child.exitCode).toBeNull();
  console.info(
    `provider-faults: solo failure classes ${JSON.stringify(observed)}; flappy ${flapOut.filter((o) => o.ok).length}/8 ok, ` +
      `${retriedThrough.length} after a retry`,
  );
});
