// The planner's memory of one job, kept in the BullMQ job's data: plain JSON, small, bounded by the config.
import type { ErrorType } from '../errors/taxonomy.ts';

/** One failed attempt's error as the planner sees it (a SwitchyardError is structurally one). */
export interface AttemptError {
  type: ErrorType;
  status: number;
  message: string;
  /** Provider-requested wait (retry-after and friends), in ms. */
  retryAfterMs?: number;
}

/** A group whose fallback list is still being walked, and the error kind that selected that list. */
export interface FallbackFrame {
  group: string;
  errorType: ErrorType;
}

export interface PlanState {
  /** The group the producer asked for (after alias resolution). */
  originalGroup: string;
  /** The group the next attempt goes to. */
  group: string;
  /** Retries already spent in the current group (a fallback group starts at 0). */
  retriesUsed: number;
  /** Fallback groups entered so far, across the whole job (bounded by maxFallbacks). */
  fallbacksUsed: number;
  /** Every group entered so far, the original first: never entered twice (no cycles). */
  triedGroups: string[];
  /** Deployments of the current group that must not be picked again (they refused deterministically). */
  excluded: string[];
  /** Groups whose fallback lists are still open, outermost first (LiteLLM's recursion, made explicit). */
  chain: FallbackFrame[];
  /** The original group's first error: what the job fails with (LiteLLM surfaces it). */
  firstError?: Omit<AttemptError, 'retryAfterMs'>;
  /** First error type of each fallback group tried, in order, for the final message. */
  fallbackErrors: { group: string; type: ErrorType }[];
  /** Epoch ms after which no new attempt starts. */
  deadlineMs?: number;
}

export function initialState(group: string, opts: { deadlineMs?: number } = {}): PlanState {
  const state: PlanState = {
    originalGroup: group,
    group,
    retriesUsed: 0,
    fallbacksUsed: 0,
    triedGroups: [group],
    excluded: [],
    chain: [],
    fallbackErrors: [],
  };
  if (opts.deadlineMs !== undefined) state.deadlineMs = opts.deadlineMs;
  return state;
}
