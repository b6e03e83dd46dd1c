// The one event the worker's pipeline emits per settled attempt: what happened and what the job does next.
// Metrics, the event stream and the callback sinks all read this; none of them touch the stages.
import type { Endpoint, ErrorType } from '@switchyard/core';

/** The deployment an attempt used, as far as observers may know it (no key). */
export interface ObservedDeployment {
  /** model_info.id (LiteLLM's `model_id`). */
  id: string;
  provider: string;
  /** Provider-side model name (LiteLLM's `model` label). */
  model: string;
  /** `litellm_params.model` as written, e.g. `azure/gpt-4o-eu` (LiteLLM's `litellm_model_name`). */
  litellmModel: string;
  /** Base URL with any credentials and query string removed. */
  apiBase: string;
}

export interface ObservedError {
  type: ErrorType;
  status?: number | undefined;
  message: string;
}

export interface ObservedUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** What the job does after this attempt. `group` is where a retry or a park continues. */
export type ObservedNext =
  | { action: 'done' }
  | { action: 'retry'; group: string }
  | { action: 'park'; group: string; untilMs: number }
  | { action: 'fail'; reason: string };

interface Common {
  jobId: string;
  endpoint: Endpoint;
  /** The group the producer asked for (LiteLLM's `requested_model`). */
  requestedGroup: string;
  /** The group this attempt was in (differs from requestedGroup inside a fallback). */
  group: string;
  /** 0-based index of this attempt among the job's attempts (calls made, not counting this one). */
  attemptIndex: number;
  /** When the producer enqueued the job and when this activation of it began (epoch ms). */
  enqueuedAtMs: number;
  activatedAtMs: number;
  /** The job's first activation (not a promoted retry, backoff or capacity wait). */
  firstActivation: boolean;
  /** The producer's `metadata` (tags included), passed through untouched. */
  metadata?: Record<string, unknown> | undefined;
  /** The error that sent the job here, when this attempt is a retry or a fallback. */
  cause?: ObservedError | undefined;
  next: ObservedNext;
}

export type JobObservation =
  /** A provider call (or its mock) was made. */
  | (Common & {
      kind: 'call';
      deployment: ObservedDeployment;
      startMs: number;
      endMs: number;
      latencyMs: number;
      /** Success: the provider's usage and the cost at the deployment's prices. */
      usage?: ObservedUsage | undefined;
      cost?: number | undefined;
      /** Provider rate-limit headers, when it sent them. */
      remainingRequests?: number | undefined;
      remainingTokens?: number | undefined;
      /** Streaming calls only: when the first chunk arrived. */
      timeToFirstTokenMs?: number | undefined;
      /** The answer's `model` and `id` fields (GenAI's gen_ai.response.model / .id). */
      responseModel?: string | undefined;
      responseId?: string | undefined;
      error?: ObservedError | undefined;
      /** Set when this failure cooled the deployment: until when (epoch ms). */
      cooldownUntilMs?: number | undefined;
      mocked: boolean;
    })
  /** Every deployment of the group was at a limit or cooling: the job waits for capacity. */
  | (Common & {
      kind: 'saturated';
      reason: 'cooldown' | 'rpm' | 'tpm' | 'parallel';
      wakeAtMs: number;
      atMs: number;
    })
  /** No call could be made (pre-call check, deadline, unknown target). */
  | (Common & { kind: 'refused'; error: ObservedError; atMs: number })
  /** The response cache answered: no routing, no provider call, no cost. */
  | (Common & {
      kind: 'cache_hit';
      /** The deployment that first produced the cached answer (its id and provider, as stored). */
      deploymentId: string;
      provider: string;
      /** The answer's `model` field. */
      model: string;
      usage?: ObservedUsage | undefined;
      atMs: number;
    });

/** Something that consumes observations. Must return at once: anything slow goes to a buffer. */
export type Observer = (observation: JobObservation) => void;

/** One observer that hands each observation to every given one; a throwing observer never reaches the job. */
export function fanOut(observers: readonly Observer[], onError: (err: unknown) => void): Observer {
  return (observation) => {
    for (const observe of observers) {
      try {
        observe(observation);
      } catch (err) {
        onError(err);
      }
    }
  };
}

/** Whether the job moves to another model group after this attempt (a fallback). */
export function fallsBack(o: JobObservation): boolean {
  return (o.next.action === 'retry' || o.next.action === 'park') && o.next.group !== o.group;
}
