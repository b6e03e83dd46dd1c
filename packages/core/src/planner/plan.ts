// After a failed attempt: retry in the group, fall back to another group, or fail — decided from plain job data.
import type { Deployment, RouterSettings } from '../config/types.ts';
import type { ErrorType } from '../errors/taxonomy.ts';
import { retryDelayMs } from './backoff.ts';
import { type FallbackChoice, nextFallback } from './fallbacks.ts';
import { resolveRetryRule } from './retry-rules.ts';
import type { AttemptError, PlanState } from './state.ts';

export interface PlanInput {
  settings: RouterSettings;
  state: PlanState;
  error: AttemptError;
  /** The deployment that just failed. */
  deployment: Pick<Deployment, 'id' | 'numRetries'>;
  /** The current group; `healthy` = not cooling in the last snapshot, this failure's cooldown applied. */
  groupDeployments: readonly { id: string; healthy: boolean }[];
  nowMs: number;
  random: () => number;
}

export type PlanDecision = { state: PlanState } & (
  | { action: 'retry'; delayMs: number; exclude: string[] }
  | { action: 'fallback'; group: string; delayMs: number }
  /** `reason` is the job's failedReason: `<ErrorType>: message`. */
  | { action: 'fail'; reason: string }
);

/** Provider messages can be long; job data must stay small. */
const MAX_MESSAGE_CHARS = 2000;

export function planNext(input: PlanInput): PlanDecision {
  const { settings, error, deployment, nowMs } = input;
  const state = recordError(input.state, error);
  const rule = resolveRetryRule(settings, state.group, error.type, deployment);
  const excluded =
    rule.excludeFailed && !state.excluded.includes(deployment.id)
      ? [...state.excluded, deployment.id]
      : state.excluded;
  const usable = input.groupDeployments.filter((d) => !excluded.includes(d.id));
  const fallback = nextFallback(settings, state, error.type);
  let deadlineCut = false;

  if (state.retriesUsed < rule.maxRetries && usable.length > 0) {
    // With the whole group cooling, another group that is ready beats waiting (LiteLLM skips retries then).
    if (usable.some((d) => d.healthy) || fallback === undefined) {
      const delayMs = retryDelayMs({
        rule,
        retryIndex: state.retriesUsed,
        hasHealthyAlternative: usable.some((d) => d.healthy && d.id !== deployment.id),
        minDelayMs: settings.retryAfterSec * 1000,
        retryAfterMs: error.retryAfterMs,
        random: input.random,
      });
      if (!reachesDeadline(state, nowMs + delayMs)) {
        const next = { ...state, retriesUsed: state.retriesUsed + 1, excluded };
        return { action: 'retry', delayMs, exclude: excluded, state: next };
      }
      deadlineCut = true;
    }
  }

  if (fallback !== undefined) {
    if (!reachesDeadline(state, nowMs)) {
      return { action: 'fallback', group: fallback.group, delayMs: 0, state: enter(state, fallback) };
    }
    deadlineCut = true;
  }

  const reason = deadlineCut ? deadlineReason(error) : finalReason(state, error);
  return { action: 'fail', reason, state };
}

function enter(state: PlanState, fallback: FallbackChoice): PlanState {
  return {
    ...state,
    group: fallback.group,
    retriesUsed: 0,
    excluded: [],
    fallbacksUsed: state.fallbacksUsed + 1,
    triedGroups: [...state.triedGroups, fallback.group],
    chain: fallback.chain,
  };
}

export interface NoCapacityInput {
  settings: RouterSettings;
  state: PlanState;
  /** Every deployment the job may use in this group is cooling down (not merely at its limits). */
  allCooling: boolean;
  /** When the reserve script says capacity returns. */
  wakeAtMs: number;
  /** Why no deployment was free: cooldown, rpm, tpm or parallel. */
  reason: string;
  nowMs: number;
}

export type NoCapacityDecision = { state: PlanState } & (
  | { action: 'wait'; untilMs: number }
  | { action: 'fallback'; group: string }
  | { action: 'fail'; reason: string }
);

/**
 * No deployment of the group is free. A group whose every deployment is cooling down is broken for now:
 * the job goes to its fallbacks at once (LiteLLM raises RouterRateLimitError there, which its fallbacks
 * catch), and waits only when it has none. A group that is only at its rpm / tpm / max_parallel limits is
 * healthy and busy: the job waits for capacity (computed by Redis, not polled), bounded by the job deadline.
 */
export function planNoCapacity(input: NoCapacityInput): NoCapacityDecision {
  const { settings, nowMs } = input;
  const group = input.state.group;
  if (input.allCooling) {
    const error: AttemptError = {
      type: 'RateLimitError',
      status: 429,
      message: `no deployment of model group "${group}" is available: every one is cooling down`,
    };
    const state = recordError(input.state, error);
    const fallback = nextFallback(settings, state, error.type);
    if (fallback !== undefined && !reachesDeadline(state, nowMs))
      return { action: 'fallback', group: fallback.group, state: enter(state, fallback) };
  }
  if (reachesDeadline(input.state, input.wakeAtMs)) {
    return {
      action: 'fail',
      reason: `RateLimitError: no capacity in model group "${group}" (${input.reason}) before the job deadline`,
      state: input.state,
    };
  }
  return { action: 'wait', untilMs: input.wakeAtMs, state: input.state };
}

/** The one failure of a job whose deadline passed: the last error's type, and its message after ours. */
export function deadlineReason(last?: { type: ErrorType; message: string }): string {
  const tail = last ? `; last error: ${clip(last.message)}` : '';
  return `${last?.type ?? 'Timeout'}: job deadline reached before the next attempt${tail}`;
}

function reachesDeadline(state: PlanState, atMs: number): boolean {
  return state.deadlineMs !== undefined && atMs >= state.deadlineMs;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

/** Keeps the original group's first error and each fallback group's first error type. */
function recordError(state: PlanState, error: AttemptError): PlanState {
  if (state.group === state.originalGroup) {
    if (state.firstError) return state;
    return { ...state, firstError: { type: error.type, status: error.status, message: clip(error.message) } };
  }
  if (state.fallbackErrors.some((e) => e.group === state.group)) return state;
  return { ...state, fallbackErrors: [...state.fallbackErrors, { group: state.group, type: error.type }] };
}

/** LiteLLM surfaces the original group's first error; we name the fallbacks tried after it. */
function finalReason(state: PlanState, error: AttemptError): string {
  const first = state.firstError ?? error;
  const tried = state.fallbackErrors.map((f) => `${f.group} (${f.type})`).join(', ');
  return `${first.type}: ${clip(first.message)}${tried ? ` [fallbacks tried: ${tried}]` : ''}`;
}
