// One observation → the outcome events it stands for, each as LiteLLM's StandardLoggingPayload (pure).
// A settled attempt can be several events at once: a failure that cools its deployment and falls back.
import type { Endpoint, OutcomeEventType, StandardLoggingPayload } from '@switchyard/core';
import { fallsBack, type JobObservation } from '../observation.ts';

const CALL_TYPES: Readonly<Record<Endpoint, string>> = {
  'chat.completions': 'acompletion',
  completions: 'atext_completion',
  embeddings: 'aembedding',
  // LiteLLM's CallTypes for the same Router methods.
  'images.generations': 'aimage_generation',
  'audio.transcriptions': 'atranscription',
  'audio.translations': 'atranscription',
  'audio.speech': 'aspeech',
  moderations: 'amoderation',
  rerank: 'arerank',
};

/** The event types of one observation, in the order they happened. */
export function eventTypes(o: JobObservation): OutcomeEventType[] {
  const types: OutcomeEventType[] = [];
  if (o.kind === 'call' && o.cooldownUntilMs !== undefined) types.push('cooldown');
  if (fallsBack(o)) types.push('fallback');
  if (o.next.action === 'done') types.push('success');
  if (o.next.action === 'fail') types.push('failure');
  return types;
}

export function toPayload(o: JobObservation, type: OutcomeEventType): StandardLoggingPayload {
  const call = o.kind === 'call' ? o : undefined;
  const hit = o.kind === 'cache_hit' ? o : undefined;
  const usage = call?.usage ?? hit?.usage;
  const modelId = call?.deployment.id ?? hit?.deploymentId ?? null;
  const provider = call?.deployment.provider ?? hit?.provider ?? null;
  const error = o.kind === 'refused' ? o.error : call?.error;
  const startMs = o.kind === 'call' ? o.startMs : o.atMs;
  const endMs = o.kind === 'call' ? o.endMs : o.atMs;
  const failed = type !== 'success';
  const message = o.next.action === 'fail' ? o.next.reason : error ? `${error.type}: ${error.message}` : null;
  const apiBase = call?.deployment.apiBase ?? '';
  const cost = call?.cost ?? 0;
  const tags = o.metadata?.tags;
  return {
    id: `${o.jobId}:${o.attemptIndex}:${type}`,
    trace_id: o.jobId,
    call_type: CALL_TYPES[o.endpoint],
    stream: false,
    status: failed ? 'failure' : 'success',
    status_fields: { llm_api_status: failed ? 'failure' : 'success' },
    switchyard_event: type,
    response_cost: cost,
    custom_llm_provider: provider,
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    total_tokens: usage?.totalTokens ?? 0,
    startTime: startMs / 1000,
    endTime: endMs / 1000,
    completionStartTime:
      (call?.timeToFirstTokenMs !== undefined ? startMs + call.timeToFirstTokenMs : endMs) / 1000,
    response_time: (endMs - startMs) / 1000,
    model: call?.deployment.model ?? hit?.model ?? '',
    model_id: modelId,
    model_group: o.group,
    requested_model: o.requestedGroup,
    api_base: apiBase,
    cache_hit: hit !== undefined,
    fallback_triggered: o.group !== o.requestedGroup || fallsBack(o),
    metadata: o.metadata ?? {},
    request_tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    error_str: failed ? message : null,
    error_information:
      failed && error
        ? {
            error_code: error.status === undefined ? null : String(error.status),
            error_class: error.type,
            llm_provider: provider,
            error_message: error.message,
          }
        : null,
    hidden_params: {
      model_id: modelId,
      api_base: apiBase,
      response_cost: cost,
      next_action: o.next.action,
      next_model_group: o.next.action === 'retry' || o.next.action === 'park' ? o.next.group : null,
      cooldown_until: call?.cooldownUntilMs ?? null,
      attempt: o.attemptIndex,
    },
  };
}
