// How long a job waits before its next attempt in the same group.
import type { RetryRule } from '../config/types.ts';

/** LiteLLM's constants (INITIAL_RETRY_DELAY, MAX_RETRY_DELAY, JITTER): 0.5 s doubling to 8 s, −25 % jitter. */
export const DEFAULT_BACKOFF = {
  baseDelayMs: 500,
  maxDelayMs: 8000,
  backoffFactor: 2,
  jitter: 0.25,
} as const;

export interface BackoffInput {
  rule: RetryRule;
  /** Retries already spent in this group: 0 before the first retry. */
  retryIndex: number;
  /** Another healthy deployment of the group is not excluded: retry there at once. */
  hasHealthyAlternative: boolean;
  /** Settings `retryAfterSec` in ms: the floor of any backoff. */
  minDelayMs: number;
  /** The provider's own retry-after for the failed deployment. */
  retryAfterMs?: number;
  random: () => number;
}

export function retryDelayMs(input: BackoffInput): number {
  // The provider's wait is about the deployment that failed, not its healthy siblings.
  if (input.hasHealthyAlternative) return 0;
  const base = input.rule.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs;
  const max = input.rule.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const factor = input.rule.backoffFactor ?? DEFAULT_BACKOFF.backoffFactor;
  const jitter = input.rule.jitter ?? DEFAULT_BACKOFF.jitter;
  const exponential = Math.min(base * factor ** input.retryIndex, max) * (1 - jitter * input.random());
  const backoff = Math.max(Math.round(exponential), input.minDelayMs);
  return Math.max(backoff, input.retryAfterMs ?? 0);
}
