// The job-outcome event stream: one capped Redis Stream per queue; each entry is one outcome (a job's
// success or failure, each fallback, each cooldown) as LiteLLM's StandardLoggingPayload. Any service can
// read it (XREAD, or a consumer group with XREADGROUP); `switchyard events tail` and `client.events()` do.
import { stateNamespace } from './defaults.ts';

/** What an entry reports. `fallback` and `cooldown` come from failed attempts inside a job. */
export const OUTCOME_EVENT_TYPES = ['success', 'failure', 'fallback', 'cooldown'] as const;
export type OutcomeEventType = (typeof OUTCOME_EVENT_TYPES)[number];

/** Each stream entry has exactly these fields: the event type, and the payload as JSON. */
export const EVENT_FIELDS = { type: 'type', payload: 'payload' } as const;

/** Entries kept (XADD MAXLEN ~): older ones are trimmed. */
export const DEFAULT_EVENTS_MAX_LEN = 10_000;

/** `<queue prefix>:<queue name>:sy:events`, beside the routing state of the same queue. */
export function eventsStreamKey(settings: { queueName?: string; queuePrefix?: string | undefined }): string {
  return `${stateNamespace(settings)}:events`;
}

/**
 * LiteLLM's StandardLoggingPayload (litellm/types/utils.py), the fields Switchyard can fill. Prompts and
 * answers (`messages`, `response`) are not included, and no key ever is: `api_base` has no credentials.
 */
export interface StandardLoggingPayload {
  /** Unique per event: `<job id>:<attempt index>:<event type>`. */
  id: string;
  /** The job id: every event of one request shares it (LiteLLM: across retries and fallbacks). */
  trace_id: string;
  /** The job name's LiteLLM call type: `acompletion`, `atext_completion`, `aembedding`. */
  call_type: string;
  stream: boolean;
  status: 'success' | 'failure';
  status_fields: { llm_api_status: 'success' | 'failure' };
  /** Switchyard's event type (not in LiteLLM's payload). */
  switchyard_event: OutcomeEventType;
  response_cost: number;
  custom_llm_provider: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Epoch seconds (floats), as LiteLLM. */
  startTime: number;
  endTime: number;
  completionStartTime: number;
  /** Seconds. */
  response_time: number;
  /** Provider-side model name. */
  model: string;
  model_id: string | null;
  model_group: string | null;
  /** The group the producer asked for (differs from model_group inside a fallback). */
  requested_model: string;
  api_base: string;
  cache_hit: boolean;
  fallback_triggered: boolean;
  /** The producer's `metadata` as given. */
  metadata: Record<string, unknown>;
  request_tags: string[];
  error_str: string | null;
  error_information: {
    error_code: string | null;
    error_class: string | null;
    llm_provider: string | null;
    error_message: string | null;
  } | null;
  /** Switchyard's additions: where the job goes next and, for cooldowns, until when. */
  hidden_params: {
    model_id: string | null;
    api_base: string;
    response_cost: number;
    next_action: 'done' | 'retry' | 'park' | 'fail';
    next_model_group: string | null;
    cooldown_until: number | null;
    attempt: number;
  };
}

/** One entry as a reader sees it. */
export interface OutcomeEvent {
  /** The stream entry id. */
  id: string;
  type: OutcomeEventType;
  payload: StandardLoggingPayload;
}

/** An entry as the contract declares it; anything else (written by someone else) is skipped. */
export function parseEventEntry(id: string, fields: string[]): OutcomeEvent | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const type = map.get(EVENT_FIELDS.type);
  const payload = map.get(EVENT_FIELDS.payload);
  if (!type || !payload || !OUTCOME_EVENT_TYPES.includes(type as OutcomeEventType)) return undefined;
  try {
    return { id, type: type as OutcomeEventType, payload: JSON.parse(payload) as StandardLoggingPayload };
  } catch {
    return undefined;
  }
}
