// Small builders for strategy tests: Deployment objects, candidates and a seeded RouteContext.
import type { Deployment } from '../../src/config/types.ts';
import { seededRandom } from '../../src/strategies/seeded-random.ts';
import type { Candidate, DeploymentState, RouteContext } from '../../src/strategies/types.ts';

export const NOW = 1_800_000_000_000;

export function deployment(id: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id,
    modelGroup: 'gpt',
    provider: 'openai',
    model: 'gpt-4o',
    litellmModel: 'openai/gpt-4o',
    apiBase: 'https://api.openai.com/v1',
    tags: [],
    info: {},
    extraParams: {},
    ...overrides,
  };
}

export function state(id: string, overrides: Partial<DeploymentState> = {}): DeploymentState {
  return { id, inflight: 0, rpmUsed: 0, tpmUsed: 0, cooldownUntilMs: 0, ...overrides };
}

export function candidate(d: Deployment, s?: Partial<DeploymentState>): Candidate {
  return s === undefined ? { deployment: d } : { deployment: d, state: state(d.id, s) };
}

export function context(overrides: Partial<RouteContext> = {}, seed = 42): RouteContext {
  return { estimatedTokens: 100, nowMs: NOW, random: seededRandom(seed), args: {}, ...overrides };
}

export function ids(items: readonly (Candidate | Deployment)[]): string[] {
  return items.map((item) => ('deployment' in item ? item.deployment.id : item.id));
}

/** How often each id is ranked first over `draws` rankings. */
export function firstPickShares(
  draws: number,
  rankOnce: (ctx: RouteContext) => readonly Candidate[],
): Map<string, number> {
  const ctx = context({}, 7);
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const id = rankOnce(ctx)[0]!.deployment.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, n] of counts) counts.set(id, n / draws);
  return counts;
}
