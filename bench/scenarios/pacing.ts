// Pacing: a 2,000-job batch against rpm- and tpm-limited deployments (one fake, limits per model key,
// the window shortened to 5 s on both sides). Switchyard should finish at the limits' pace with no 429s;
// the baseline is the ideal schedule the configured limits allow.
import { SwitchyardClient } from '@switchyard/client';
import { chatBody } from '../lib/config.ts';
import { CONCURRENCY, startPacedStack, WINDOW_MS, WORKERS } from '../lib/paced-stack.ts';
import { scaled } from '../lib/scale.ts';
import { check, fmt, type Scenario } from '../lib/scenario.ts';

/** Keeps the TPM estimate near the real usage, as a caller that sets max_tokens does. */
const MAX_TOKENS = 16;
/** Requests per window: 40/s + 20/s by rpm, ~20/s by tpm → 80/s, 2,000 jobs ≈ 25 s. */
const RPM_A = 200;
const RPM_B = 100;
const TPM_C_REQUESTS = 100;

export const pacing: Scenario = {
  name: 'pacing',
  description:
    `A ${scaled(2000, 100)}-job batch (enqueueBatch) on ${WORKERS} workers × ${CONCURRENCY} against 3 deployments limited ` +
    `by rpm (${RPM_A}, ${RPM_B}) and tpm (≈${TPM_C_REQUESTS} requests' worth) per ${WINDOW_MS / 1000} s window ` +
    "(SWITCHYARD_WINDOW_MS and the fake's rateWindowMs); finish time vs the ideal, provider 429s, utilisation",
  async run() {
    const jobs = scaled(2000, 100);
    let tokensPerJob = 0;
    const stack = await startPacedStack({
      queueName: 'bench-pacing',
      rpm: { 'pace-a': RPM_A, 'pace-b': RPM_B },
      more: async (fake) => {
        tokensPerJob = await probeTokens(fake.url);
        return [{ model: 'pace-c', tpm: TPM_C_REQUESTS * tokensPerJob }];
      },
    });
    const { fake, deployments } = stack;
    const client = new SwitchyardClient({ redisUrl: stack.redis.url, queueName: 'bench-pacing' });
    const served: Record<string, number> = {};
    let failed = 0;
    let finishMs = 0;
    let stats: ReturnType<typeof fake.stats>;
    try {
      await client.ready();
      const t0 = performance.now();
      const ids = await client.enqueueBatch(
        Array.from({ length: jobs }, (_, i) => ({ body: chatBody(i, { max_tokens: MAX_TOKENS }) })),
      );
      await Promise.all(
        ids.map(async (id) => {
          try {
            const res = await client.result(id);
            const dep = res?.routing.deploymentId ?? 'unknown';
            served[dep] = (served[dep] ?? 0) + 1;
          } catch {
            failed++;
          }
          finishMs = performance.now() - t0;
        }),
      );
      stats = fake.stats();
    } finally {
      await client.close();
      await stack.stop();
    }

    // Capacity in requests per window; the tpm deployment's is its tokens over the real tokens per job.
    const perWindow: Record<string, number> = {
      'pace-a': RPM_A,
      'pace-b': RPM_B,
      'pace-c': (TPM_C_REQUESTS * tokensPerJob) / tokensPerJob,
    };
    const windowTotal = Object.values(perWindow).reduce((a, b) => a + b, 0);
    const idealMs = (jobs / windowTotal) * WINDOW_MS;
    // Utilisation = achieved rate / configured rate, per deployment and overall.
    const utilisationOf = (count: number, perWin: number) => count / ((perWin * finishMs) / WINDOW_MS);
    const utilisation = utilisationOf(jobs - failed, windowTotal);
    // A sliding window also lets its first quota go at once and refill in bursts; pacing spreads the
    // waiters evenly instead (what providers' continuously refilling limits want), so this bound is
    // reported for information, not as the target.
    const burstBoundMs = (jobs / windowTotal - 1) * WINDOW_MS;
    const rateLimited = stats!.total.rateLimited;
    const errors429 = stats!.total.errors[429] ?? 0;
    const rows = Object.entries(perWindow).map(([model, limit]) => {
      const s = stats!.models[model];
      return [
        model,
        deployments.find((d) => d.model === model)!.rpm ? `rpm ${limit}` : `tpm ${limit * tokensPerJob}`,
        served[model] ?? 0,
        s?.requests ?? 0,
        s?.rateLimited ?? 0,
        `${fmt(utilisationOf(served[model] ?? 0, limit) * 100, 1)} %`,
      ];
    });
    rows.push([
      '**all**',
      `${windowTotal} req / window`,
      jobs - failed,
      stats!.total.requests,
      rateLimited,
      `${fmt(utilisation * 100, 1)} %`,
    ]);
    return {
      lines: [
        `finished ${jobs} jobs in ${fmt(finishMs / 1000, 1)} s; ideal (jobs / total rate) ${fmt(idealMs / 1000, 1)} s ` +
          `→ ${fmt(finishMs / idealMs)}× ideal (burst-refill bound ${fmt(burstBoundMs / 1000, 1)} s)`,
        `provider 429s: ${rateLimited} (fake's own rpm enforcement; ${errors429} 429 answers in all); failed jobs: ${failed}`,
        `utilisation of configured capacity: ${fmt(utilisation * 100, 1)} %`,
      ],
      table: {
        header: [
          'deployment',
          'limit per 5 s window',
          'jobs served',
          'requests at fake',
          '429s',
          'utilisation',
        ],
        rows,
      },
      checks: [
        check('pacing: provider 429s', rateLimited, '<=', 0),
        check('pacing: utilisation of configured capacity %', Number(fmt(utilisation * 100, 1)), '>=', 95),
      ],
      data: {
        jobs,
        failed,
        finishMs: Math.round(finishMs),
        idealMs: Math.round(idealMs),
        burstBoundMs: Math.round(burstBoundMs),
        utilisation,
        rateLimited,
        tokensPerJob,
        served,
        fake: stats!.models,
      },
      notes: [
        `Ideal = jobs / total rate = ${jobs} / (${windowTotal} per ${WINDOW_MS / 1000} s); utilisation = achieved rate / configured rate. ` +
          `A sliding window would also allow its first quota at once and bursty refills (${fmt(burstBoundMs / 1000, 1)} s); ` +
          'Switchyard spreads waiters evenly at the aggregate rate instead, so it is not measured against that bound.',
        `The fake enforces rpm only; the tpm deployment's usage is judged from real tokens (${tokensPerJob} per job).`,
      ],
    };
  },
};

/** Real tokens per job as the fake counts them, from one request on a model key no limit applies to. */
async function probeTokens(fakeUrl: string): Promise<number> {
  const res = await fetch(`${fakeUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ ...chatBody(0, { max_tokens: MAX_TOKENS }), model: 'probe' }),
  });
  const body = (await res.json()) as { usage: { total_tokens: number } };
  return body.usage.total_tokens;
}
