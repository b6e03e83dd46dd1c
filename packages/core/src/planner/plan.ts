// After a failed attempt: retry in the group, fall back to another group, or fail — decided from plain job data.
import type { Deployment, RouterSettings } from '../config/types.ts';
import { retryDelayMs } from './backoff.ts';
import { nextFallback } from './fallbacks.ts';
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
      const next: PlanState = {
        ...state,
        group: fallback.group,
        retriesUsed: 0,
        excluded: [],
        fallbacksUsed: state.fallbacksUsed + 1,
        triedGroups: [...state.triedGroups, fallback.group],
        chain: fallback.chain,
      };
      return { action: 'fallback', group: fallback.group, delayMs: 0, state: next };
    }
    deadlineCut = true;
  }

  const reason = deadlineCut
    ? `${error.type}: job deadline reached before the next attempt; last error: ${clip(error.message)}`
    : finalReason(state, error);
  return { action: 'fail', reason, state };
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
