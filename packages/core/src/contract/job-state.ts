// What the worker keeps in a job's data between attempts (under STATE_KEY), and its schema.
import { z } from 'zod';
import { ERROR_TYPES } from '../errors/taxonomy.ts';
import type { PlanState } from '../planner/state.ts';
import { STATE_KEY } from './defaults.ts';
import type { AttemptRecord } from './result.ts';

export interface JobState {
  plan: PlanState;
  attempts: AttemptRecord[];
}

/** Attempts a job may have made before its state is treated as corrupt (bounds job data size). */
export const MAX_STORED_ATTEMPTS = 1000;

const count = z.number().int().min(0);
const errorType = z.enum(ERROR_TYPES);
const text = z.string().max(10_000);

const attemptError = z.object({ type: errorType, status: z.number().int(), message: text });

const planState: z.ZodType<PlanState> = z.object({
  originalGroup: text,
  group: text,
  retriesUsed: count,
  fallbacksUsed: count,
  triedGroups: z.array(text),
  excluded: z.array(text),
  chain: z.array(z.object({ group: text, errorType })),
  firstError: attemptError.optional(),
  fallbackErrors: z.array(z.object({ group: text, type: errorType })),
  deadlineMs: z.number().optional(),
});

const attemptRecord: z.ZodType<AttemptRecord> = z.object({
  deploymentId: text,
  modelGroup: text,
  latencyMs: z.number(),
  error: attemptError.optional(),
});

/** Checked against the TypeScript types above, so the schema cannot drift from what the worker writes. */
export const jobStateSchema: z.ZodType<JobState> = z.object({
  plan: planState,
  attempts: z.array(attemptRecord).max(MAX_STORED_ATTEMPTS),
});

/** The stored state, `undefined` when absent; throws a RangeError naming the problem when malformed. */
export function readJobState(data: unknown): JobState | undefined {
  const raw = (data as Record<string, unknown> | null)?.[STATE_KEY];
  if (raw === undefined) return undefined;
  const parsed = jobStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`${STATE_KEY}.${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export function withJobState(data: unknown, state: JobState): Record<string, unknown> {
  return { ...(data as Record<string, unknown>), [STATE_KEY]: state };
}
