// What the worker keeps in a job's data between attempts: the plan and every attempt so far.
import type { ErrorType, PlanState } from '@switchyard/core';
import { STATE_KEY } from './job-data.ts';

export interface AttemptRecord {
  deploymentId: string;
  modelGroup: string;
  latencyMs: number;
  error?: { type: ErrorType; status: number; message: string };
}

export interface JobState {
  plan: PlanState;
  attempts: AttemptRecord[];
}

export function readJobState(data: unknown): JobState | undefined {
  const raw = (data as Record<string, unknown> | null)?.[STATE_KEY] as Partial<JobState> | undefined;
  if (!raw || typeof raw !== 'object' || !raw.plan || !Array.isArray(raw.attempts)) return undefined;
  return { plan: raw.plan, attempts: raw.attempts };
}

export function withJobState(data: unknown, state: JobState): Record<string, unknown> {
  return { ...(data as Record<string, unknown>), [STATE_KEY]: state };
}
