// OpenTelemetry GenAI semantic conventions for one provider call (pure): span name and attributes.
// https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/

import type { Attributes } from '@opentelemetry/api';
import type { Endpoint } from '@switchyard/core';
import type { JobObservation } from '../observation.ts';

const OPERATIONS: Readonly<Record<Endpoint, string>> = {
  'chat.completions': 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  // No well-known GenAI operation names for these yet: the job name's own words, as the spec allows.
  'images.generations': 'image_generation',
  'audio.transcriptions': 'transcription',
  'audio.translations': 'translation',
  'audio.speech': 'speech',
  moderations: 'moderation',
  rerank: 'rerank',
};

/** `gen_ai.system` / `gen_ai.provider.name` well-known values; a provider not listed keeps its own name. */
const SYSTEMS: Readonly<Record<string, string>> = {
  azure: 'azure.ai.openai',
  gemini: 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  ollama_chat: 'ollama',
};

type Call = Extract<JobObservation, { kind: 'call' }>;

export function genAiSpanName(o: Call): string {
  return `${OPERATIONS[o.endpoint]} ${o.deployment.model}`;
}

export function genAiAttributes(o: Call): Attributes {
  const system = SYSTEMS[o.deployment.provider] ?? o.deployment.provider;
  const a: Attributes = {
    'gen_ai.operation.name': OPERATIONS[o.endpoint],
    'gen_ai.system': system,
    'gen_ai.provider.name': system,
    'gen_ai.request.model': o.deployment.model,
    'server.address': hostOf(o.deployment.apiBase),
    'switchyard.model_group': o.group,
    'switchyard.requested_model': o.requestedGroup,
    'switchyard.deployment.id': o.deployment.id,
    'switchyard.attempt': o.attemptIndex,
    'switchyard.next_action': o.next.action,
  };
  if (o.responseModel) a['gen_ai.response.model'] = o.responseModel;
  if (o.responseId) a['gen_ai.response.id'] = o.responseId;
  if (o.usage) {
    a['gen_ai.usage.input_tokens'] = o.usage.promptTokens;
    a['gen_ai.usage.output_tokens'] = o.usage.completionTokens;
  }
  if (o.cost !== undefined) a['switchyard.cost_usd'] = o.cost;
  if (o.timeToFirstTokenMs !== undefined) a['switchyard.time_to_first_token_ms'] = o.timeToFirstTokenMs;
  if (o.error) {
    a['error.type'] = o.error.type;
    if (o.error.status !== undefined) a['http.response.status_code'] = o.error.status;
  }
  if (o.cooldownUntilMs !== undefined) a['switchyard.cooldown_until_ms'] = o.cooldownUntilMs;
  if (o.next.action === 'retry' || o.next.action === 'park') a['switchyard.next_model_group'] = o.next.group;
  if (o.mocked) a['switchyard.mocked'] = true;
  return a;
}

/** Hosts by api_base: parsing a URL per call cost more than the rest of the attributes together. */
const hosts = new Map<string, string>();

function hostOf(url: string): string {
  let host = hosts.get(url);
  if (host === undefined) {
    try {
      host = new URL(url).hostname;
    } catch {
      host = '';
    }
    // Deployments are few; a bound keeps runtime additions and removals from growing it for ever.
    if (hosts.size >= 1_000) hosts.clear();
    hosts.set(url, host);
  }
  return host;
}
