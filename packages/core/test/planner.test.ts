import { describe, expect, it } from 'vitest';
import type { RouterSettings } from '../src/config/types.ts';
import type { ErrorType } from '../src/errors/taxonomy.ts';
import { DEFAULT_BACKOFF } from '../src/planner/backoff.ts';
import { type PlanDecision, planNext } from '../src/planner/plan.ts';
import { type AttemptError, initialState, type PlanState } from '../src/planner/state.ts';

/** LiteLLM's defaults: num_retries 2, allowed_fails 3, cooldown 5 s, max_fallbacks 5. */
function settings(over: Partial<RouterSettings> = {}): RouterSettings {
  return {
    routingStrategy: 'simple-shuffle',
    routingStrategyArgs: {},
    numRetries: 2,
    retryAfterSec: 0,
    retryPolicy: {},
    modelGroupRetryPolicy: {},
    allowedFails: 3,
    allowedFailsPolicy: {},
    cooldownTimeSec: 5,
    disableCooldowns: false,
    fallbacks: {},
    defaultFallbacks: [],
    contextWindowFallbacks: {},
    contentPolicyFallbacks: {},
    maxFallbacks: 5,
    timeoutMs: 600_000,
    enablePreCallChecks: false,
    modelGroupAlias: {},
    ...over,
  };
}

function err(type: ErrorType, message = `${type} from provider`, retryAfterMs?: number): AttemptError {
  return retryAfterMs === undefined
    ? { type, status: 0, message }
    : { type, status: 0, message, retryAfterMs };
}

interface Scenario {
  settings: RouterSettings;
  /** Deployment ids per group. */
  groups: Record<string, string[]>;
  /** The error an attempt gets, or undefined for success. */
  fail: (group: string, deploymentId: string) => AttemptError | undefined;
  healthy?: (deploymentId: string) => boolean;
  numRetries?: Record<string, number>;
  deadlineMs?: number;
  random?: () => number;
}

/** Plays a job's life the way the worker does: pick a non-excluded deployment, call, ask the planner. */
function run(s: Scenario, start = 'g') {
  let state: PlanState = initialState(start, s.deadlineMs === undefined ? {} : { deadlineMs: s.deadlineMs });
  const attempts: string[] = [];
  const delays: number[] = [];
  const calls = new Map<string, number>();
  let now = 0;
  for (let i = 0; i < 100; i++) {
    const members = s.groups[state.group] ?? [];
    const usable = members.filter((id) => !state.excluded.includes(id));
    // Spread like a shuffle would: the least-called usable deployment, in listed order on ties.
    const count = (id: string) => calls.get(`${state.group}/${id}`) ?? 0;
    const id = usable.reduce((best, d) => (count(d) < count(best) ? d : best));
    calls.set(`${state.group}/${id}`, count(id) + 1);
    attempts.push(`${state.group}/${id}`);
    const error = s.fail(state.group, id);
    if (!error) return { attempts, delays, ok: true as const };
    const d: PlanDecision = planNext({
      settings: s.settings,
      state,
      error,
      deployment: { id, numRetries: s.numRetries?.[id] },
      groupDeployments: members.map((m) => ({ id: m, healthy: s.healthy?.(m) ?? true })),
      nowMs: now,
      random: s.random ?? (() => 0),
    });
    state = d.state;
    if (d.action === 'fail') return { attempts, delays, ok: false as const, reason: d.reason, state };
    delays.push(d.delayMs);
    now += d.delayMs;
  }
  throw new Error('planner did not terminate');
}

const always = (type: ErrorType) => () => err(type);
const allFail = (type: ErrorType) => (group: string) => err(type, `${group} failed`);

describe('retries in a group', () => {
  it('makes num_retries + 1 attempts, then fails with the first error', () => {
    let n = 0;
    const r = run({
      settings: settings(),
      groups: { g: ['d1', 'd2'] },
      fail: () => err('InternalServerError', `boom ${++n}`),
    });
    expect(r.attempts).toEqual(['g/d1', 'g/d2', 'g/d1']);
    expect(r.reason).toBe('InternalServerError: boom 1');
  });

  it('num_retries 0 tries once', () => {
    const r = run({ settings: settings({ numRetries: 0 }), groups: { g: ['d1'] }, fail: always('Timeout') });
    expect(r.attempts).toHaveLength(1);
  });

  it("a deployment's own num_retries overrides the router's", () => {
    const r = run({
      settings: settings(),
      groups: { g: ['d1'] },
      numRetries: { d1: 4 },
      fail: always('Timeout'),
    });
    expect(r.attempts).toHaveLength(5);
  });

  it('a retry_policy entry sets the count for its error type only', () => {
    const s = settings({ retryPolicy: { Timeout: { maxRetries: 1 } } });
    expect(run({ settings: s, groups: { g: ['d1'] }, fail: always('Timeout') }).attempts).toHaveLength(2);
    expect(run({ settings: s, groups: { g: ['d1'] }, fail: always('RateLimitError') }).attempts).toHaveLength(
      3,
    );
  });

  it("a group's model_group_retry_policy replaces retry_policy entirely for that group", () => {
    const s = settings({
      retryPolicy: { RateLimitError: { maxRetries: 5 } },
      modelGroupRetryPolicy: { g: { Timeout: { maxRetries: 1 } } },
    });
    const groups = { g: ['d1'], h: ['e1'] };
    expect(run({ settings: s, groups, fail: always('RateLimitError') }, 'g').attempts).toHaveLength(3);
    expect(run({ settings: s, groups, fail: always('RateLimitError') }, 'h').attempts).toHaveLength(6);
    expect(run({ settings: s, groups, fail: always('Timeout') }, 'g').attempts).toHaveLength(2);
  });

  it.each<ErrorType>([
    'AuthenticationError',
    'BadRequestError',
    'NotFoundError',
    'PermissionDeniedError',
    'UnprocessableEntityError',
    'BudgetExceededError',
    'ContextWindowExceededError',
    'ContentPolicyViolationError',
  ])('%s is tried once and surfaces as the failedReason', (type) => {
    const r = run({ settings: settings({ numRetries: 3 }), groups: { g: ['d1', 'd2'] }, fail: always(type) });
    expect(r.attempts).toEqual(['g/d1']);
    expect(r.reason).toBe(`${type}: ${type} from provider`);
  });

  it.each<ErrorType>([
    'RateLimitError',
    'Timeout',
    'InternalServerError',
    'ServiceUnavailableError',
    'APIConnectionError',
  ])('%s is retried', (type) => {
    const r = run({ settings: settings(), groups: { g: ['d1', 'd2'] }, fail: always(type) });
    expect(r.attempts).toHaveLength(3);
  });

  it('a policy enabling 400 retries tries each other deployment once, never the refusing one again', () => {
    const r = run({
      settings: settings({ retryPolicy: { BadRequestError: { maxRetries: 5 } } }),
      groups: { g: ['d1', 'd2', 'd3'] },
      fail: always('BadRequestError'),
    });
    expect(r.attempts).toEqual(['g/d1', 'g/d2', 'g/d3']);
  });

  it('a policy-enabled 400 retry lands on the deployment that accepts it', () => {
    const r = run({
      settings: settings({ retryPolicy: { ContentPolicyViolationError: { maxRetries: 3 } } }),
      groups: { g: ['d1', 'd2'] },
      fail: (_g, id) => (id === 'd1' ? err('ContentPolicyViolationError') : undefined),
    });
    expect(r).toMatchObject({ ok: true, attempts: ['g/d1', 'g/d2'] });
  });
});

describe('backoff', () => {
  it('retries at once on another healthy deployment', () => {
    const r = run({ settings: settings(), groups: { g: ['d1', 'd2'] }, fail: always('RateLimitError') });
    expect(r.delays).toEqual([0, 0]);
  });

  it('backs off exponentially (0.5 s doubling, capped at 8 s) when no other deployment is healthy', () => {
    const r = run({ settings: settings({ numRetries: 6 }), groups: { g: ['d1'] }, fail: always('Timeout') });
    expect(r.delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('jitter shortens a delay by at most a quarter', () => {
    const r = run({
      settings: settings({ numRetries: 1 }),
      groups: { g: ['d1', 'd2'] },
      healthy: (id) => id === 'd1',
      fail: always('Timeout'),
      random: () => 0.9,
    });
    expect(r.delays[0]).toBeGreaterThan(0.75 * DEFAULT_BACKOFF.baseDelayMs);
    expect(r.delays[0]).toBeLessThan(DEFAULT_BACKOFF.baseDelayMs);
  });

  it("the provider's retry-after wins when longer, even beyond LiteLLM's 60 s cap", () => {
    const long = run({
      settings: settings({ numRetries: 1 }),
      groups: { g: ['d1'] },
      fail: () => err('RateLimitError', 'slow down', 120_000),
    });
    expect(long.delays).toEqual([120_000]);
    const short = run({
      settings: settings({ numRetries: 1 }),
      groups: { g: ['d1'] },
      fail: () => err('RateLimitError', 'slow down', 100),
    });
    expect(short.delays).toEqual([500]);
  });

  it('retry_after floors every backoff', () => {
    const r = run({
      settings: settings({ retryAfterSec: 3 }),
      groups: { g: ['d1'] },
      fail: always('Timeout'),
    });
    expect(r.delays).toEqual([3000, 3000]);
  });

  it("a retry rule's own delays replace LiteLLM's constants", () => {
    const rule = { maxRetries: 3, baseDelayMs: 100, backoffFactor: 3, maxDelayMs: 500, jitter: 0 };
    const r = run({
      settings: settings({ retryPolicy: { Timeout: rule } }),
      groups: { g: ['d1'] },
      fail: always('Timeout'),
      random: () => 0.9,
    });
    expect(r.delays).toEqual([100, 300, 500]);
  });

  it('with the whole group cooling, falls back at once instead of waiting', () => {
    const r = run({
      settings: settings({ fallbacks: { g: ['h'] } }),
      groups: { g: ['d1', 'd2'], h: ['e1'] },
      healthy: (id) => id.startsWith('e'),
      fail: (group) => (group === 'g' ? err('RateLimitError') : undefined),
    });
    expect(r).toMatchObject({ ok: true, attempts: ['g/d1', 'h/e1'], delays: [0] });
  });

  it('with the whole group cooling and nowhere to fall back, retries after the backoff', () => {
    const r = run({
      settings: settings(),
      groups: { g: ['d1', 'd2'] },
      healthy: () => false,
      fail: always('RateLimitError'),
    });
    expect(r.delays).toEqual([500, 1000]);
  });
});

describe('fallbacks', () => {
  it('spends retries in the group first, then each fallback group in order with its own retries', () => {
    const r = run({
      settings: settings({ numRetries: 1, fallbacks: { g: ['a', 'b'] } }),
      groups: { g: ['d1', 'd2'], a: ['a1'], b: ['b1', 'b2'] },
      fail: allFail('InternalServerError'),
    });
    expect(r.attempts).toEqual(['g/d1', 'g/d2', 'a/a1', 'a/a1', 'b/b1', 'b/b2']);
    expect(r.reason).toBe(
      'InternalServerError: g failed [fallbacks tried: a (InternalServerError), b (InternalServerError)]',
    );
  });

  it('succeeds on the first fallback group that answers', () => {
    const r = run({
      settings: settings({ numRetries: 0, fallbacks: { g: ['a', 'b'] } }),
      groups: { g: ['d1'], a: ['a1'], b: ['b1'] },
      fail: (group) => (group === 'b' ? undefined : err('Timeout')),
    });
    expect(r).toMatchObject({ ok: true, attempts: ['g/d1', 'a/a1', 'b/b1'] });
  });

  it("a fallback group's own fallbacks run before the rest of its parent's list (LiteLLM recursion)", () => {
    const r = run({
      settings: settings({ numRetries: 0, fallbacks: { g: ['a', 'b'], a: ['c'] } }),
      groups: { g: ['d1'], a: ['a1'], b: ['b1'], c: ['c1'] },
      fail: allFail('Timeout'),
    });
    expect(r.attempts).toEqual(['g/d1', 'a/a1', 'c/c1', 'b/b1']);
  });

  it('context-window errors use context_window_fallbacks, then generic, then default fallbacks', () => {
    const groups = { g: ['d1'], cw: ['x'], gen: ['y'], def: ['z'] };
    const ok = (target: string) => (group: string) =>
      group === target ? undefined : err('ContextWindowExceededError');
    const all = {
      contextWindowFallbacks: { g: ['cw'] },
      fallbacks: { g: ['gen'] },
      defaultFallbacks: ['def'],
    };
    expect(run({ settings: settings(all), groups, fail: ok('cw') }).attempts).toEqual(['g/d1', 'cw/x']);
    const noCw = { ...all, contextWindowFallbacks: {} };
    expect(run({ settings: settings(noCw), groups, fail: ok('gen') }).attempts).toEqual(['g/d1', 'gen/y']);
    const onlyDefault = { ...noCw, fallbacks: {} };
    expect(run({ settings: settings(onlyDefault), groups, fail: ok('def') }).attempts).toEqual([
      'g/d1',
      'def/z',
    ]);
  });

  it('other errors ignore context_window and content_policy lists', () => {
    const r = run({
      settings: settings({
        numRetries: 0,
        contextWindowFallbacks: { g: ['cw'] },
        contentPolicyFallbacks: { g: ['cp'] },
        fallbacks: { g: ['gen'] },
      }),
      groups: { g: ['d1'], cw: ['x'], cp: ['y'], gen: ['z'] },
      fail: allFail('RateLimitError'),
    });
    expect(r.attempts).toEqual(['g/d1', 'gen/z']);
  });

  it('content-policy refusals use content_policy_fallbacks', () => {
    const r = run({
      settings: settings({ contentPolicyFallbacks: { g: ['safe'] }, fallbacks: { g: ['gen'] } }),
      groups: { g: ['d1'], safe: ['s1'], gen: ['z'] },
      fail: (group) => (group === 'safe' ? undefined : err('ContentPolicyViolationError')),
    });
    expect(r).toMatchObject({ ok: true, attempts: ['g/d1', 'safe/s1'] });
  });

  it('a content-policy refusal never leaks to generic or default fallbacks', () => {
    const r = run({
      settings: settings({ fallbacks: { g: ['gen'] }, defaultFallbacks: ['def'] }),
      groups: { g: ['d1'], gen: ['y'], def: ['z'] },
      fail: (group) => (group === 'g' ? err('ContentPolicyViolationError', 'refused') : undefined),
    });
    expect(r.attempts).toEqual(['g/d1']);
    expect(r.reason).toBe('ContentPolicyViolationError: refused');
  });

  it("a refusal inside a fallback group does not continue the parent's generic list", () => {
    const r = run({
      settings: settings({ numRetries: 0, fallbacks: { g: ['a', 'b'] } }),
      groups: { g: ['d1'], a: ['a1'], b: ['b1'] },
      fail: (group) => (group === 'a' ? err('ContentPolicyViolationError') : err('Timeout')),
    });
    expect(r.attempts).toEqual(['g/d1', 'a/a1']);
    expect(r.reason).toBe(
      'Timeout: Timeout from provider [fallbacks tried: a (ContentPolicyViolationError)]',
    );
  });

  it('an explicit empty list for a group disables default fallbacks for it', () => {
    const r = run({
      settings: settings({ numRetries: 0, fallbacks: { g: [] }, defaultFallbacks: ['def'] }),
      groups: { g: ['d1'], def: ['z'] },
      fail: allFail('Timeout'),
    });
    expect(r.attempts).toEqual(['g/d1']);
  });

  it('never enters a group twice: cycles and default_fallbacks terminate', () => {
    const r = run({
      settings: settings({
        numRetries: 0,
        fallbacks: { g: ['a', 'g'], a: ['b', 'a'] },
        defaultFallbacks: ['g', 'a', 'b', 'c'],
      }),
      groups: { g: ['d1'], a: ['a1'], b: ['b1'], c: ['c1'] },
      fail: allFail('AuthenticationError'),
    });
    expect(r.attempts).toEqual(['g/d1', 'a/a1', 'b/b1', 'c/c1']);
    expect(r.reason?.startsWith('AuthenticationError: g failed')).toBe(true);
  });

  it('LiteLLM F4: {bad:[bad2]} with default_fallbacks [bad] ends with the original error', () => {
    const r = run(
      {
        settings: settings({ fallbacks: { bad: ['bad2'] }, defaultFallbacks: ['bad'] }),
        groups: { bad: ['d1'], bad2: ['d2'] },
        fail: allFail('AuthenticationError'),
      },
      'bad',
    );
    expect(r.attempts).toEqual(['bad/d1', 'bad2/d2']);
    expect(r.reason).toBe('AuthenticationError: bad failed [fallbacks tried: bad2 (AuthenticationError)]');
  });

  it('max_fallbacks bounds the fallback groups entered across the whole job', () => {
    const r = run({
      settings: settings({ numRetries: 0, maxFallbacks: 2, fallbacks: { g: ['a', 'b', 'c'], a: ['x'] } }),
      groups: { g: ['d1'], a: ['a1'], b: ['b1'], c: ['c1'], x: ['x1'] },
      fail: allFail('Timeout'),
    });
    expect(r.attempts).toEqual(['g/d1', 'a/a1', 'x/x1']);
  });

  it('a fallback group starts with a fresh exclusion list', () => {
    const r = run({
      settings: settings({ retryPolicy: { BadRequestError: { maxRetries: 1 } }, fallbacks: { g: ['h'] } }),
      groups: { g: ['d1', 'd2'], h: ['d1', 'd2'] },
      fail: allFail('BadRequestError'),
    });
    expect(r.attempts).toEqual(['g/d1', 'g/d2', 'h/d1', 'h/d2']);
  });
});

describe('job deadline', () => {
  it('fails with the last error when the next backoff would pass the deadline', () => {
    const r = run({
      settings: settings({ numRetries: 5 }),
      groups: { g: ['d1'] },
      deadlineMs: 2000,
      fail: (() => {
        let n = 0;
        return () => err(n++ === 0 ? 'Timeout' : 'ServiceUnavailableError', `try ${n}`);
      })(),
    });
    // Delays 500 and 1000 fit (t=1500); the next 2000 ms would not.
    expect(r.attempts).toHaveLength(3);
    expect(r.reason).toBe(
      'ServiceUnavailableError: job deadline reached before the next attempt; last error: try 3',
    );
  });

  it('a retry-after past the deadline yields to a fallback that can start now', () => {
    const r = run({
      settings: settings({ fallbacks: { g: ['h'] } }),
      groups: { g: ['d1'], h: ['e1'] },
      deadlineMs: 10_000,
      fail: (group) => (group === 'g' ? err('RateLimitError', 'wait', 60_000) : undefined),
    });
    expect(r).toMatchObject({ ok: true, attempts: ['g/d1', 'h/e1'] });
  });

  it('the state stays plain JSON', () => {
    const r = run({
      settings: settings({ fallbacks: { g: ['a'] } }),
      groups: { g: ['d1'], a: ['a1'] },
      fail: allFail('Timeout'),
    });
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
  });
});
