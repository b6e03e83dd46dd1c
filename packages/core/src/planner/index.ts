// The retry / fallback / cooldown planner: pure decisions the worker applies to one job id.

export type { BackoffInput } from './backoff.ts';
export { DEFAULT_BACKOFF, retryDelayMs } from './backoff.ts';
export type { CooldownEffect } from './cooldown.ts';
export { cooldownEffect } from './cooldown.ts';
export type { FallbackChoice } from './fallbacks.ts';
export { fallbackList, nextFallback } from './fallbacks.ts';
export type { NoCapacityDecision, NoCapacityInput, PlanDecision, PlanInput } from './plan.ts';
export { deadlineReason, planNext, planNoCapacity } from './plan.ts';
export type { ResolvedRetryRule } from './retry-rules.ts';
export { isDeterministicError, resolveRetryRule } from './retry-rules.ts';
export type { AttemptError, FallbackFrame, PlanState } from './state.ts';
export { initialState } from './state.ts';
