// Everything a fake provider is told is plain JSON, so the CLI can build it from flags and tests from literals.
import type { ProviderKind } from '@switchyard/core';

/** The providers Switchyard speaks; one fake Ollama serves both of its APIs (`ollama/`, `ollama_chat/`). */
export type FakeProviderKind = Exclude<ProviderKind, 'ollama_chat'>;
export type FakeEndpoint =
  | 'chat.completions'
  | 'completions'
  | 'embeddings'
  // OpenAI's other endpoints (testkit media.ts)
  | 'images.generations'
  | 'audio.transcriptions'
  | 'audio.translations'
  | 'audio.speech'
  | 'moderations'
  | 'messages'
  // Gemini (Google AI Studio) and Vertex AI
  | 'generateContent'
  | 'streamGenerateContent'
  | 'embedContent'
  | 'batchEmbedContents'
  | 'predict'
  // Bedrock runtime
  | 'converse'
  | 'converse-stream'
  | 'invoke'
  // Cohere v2 (`chat`, `embed`, `rerank`) and Ollama (`chat`, `generate`, `embed`)
  | 'chat'
  | 'generate'
  | 'embed'
  | 'rerank';

/** A recognised request: which provider dialect, which endpoint, and the model key it counts against. */
export interface FakeRoute {
  provider: FakeProviderKind;
  endpoint: FakeEndpoint;
  /** Azure deployment name from the URL path. */
  deployment?: string;
  /** Model named in the URL path (Gemini, Vertex AI, Bedrock). */
  model?: string;
}

/** A latency in ms, or a `[min, max]` range drawn from the seeded random source. */
export type FakeLatency = number | [number, number];

export type FakeFault =
  /** An HTTP error in the route's own error-body shape. */
  | {
      kind: 'error';
      status: number;
      message?: string;
      /** OpenAI `error.type` / Anthropic `error.type`; a realistic default per status otherwise. */
      type?: string;
      code?: string;
      retryAfterSec?: number;
      retryAfterMs?: number;
      headers?: Record<string, string>;
    }
  /** 429 with `retry-after` (seconds) and/or `retry-after-ms` headers. */
  | { kind: 'rate-limit'; retryAfterSec?: number; retryAfterMs?: number; headers?: Record<string, string> }
  /** OpenAI/Azure `context_length_exceeded`; Anthropic "prompt is too long". */
  | { kind: 'context-window' }
  /** OpenAI `content_policy_violation`; Azure `content_filter`; Anthropic content filtering policy. */
  | { kind: 'content-policy' }
  /** Never answer; the socket stays open until the client gives up or the fake closes. */
  | { kind: 'hang' }
  /** Destroy the socket: before any byte, or after sending headers and `afterBytes` of the body. */
  | { kind: 'reset'; afterBytes?: number }
  /** Send headers, then the normal success body `bytesPerTick` bytes every `intervalMs`. */
  | { kind: 'drip'; bytesPerTick?: number; intervalMs?: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** 200 whose JSON body stops half way (the response itself ends cleanly). */
  | { kind: 'truncated' }
  /** 200 whose body is an error object in the route's error shape. */
  | { kind: 'error-body'; type?: string; code?: string; message?: string }
  /**
   * A streamed answer (`stream: true`) that breaks after `afterChunks` content chunks: `reset` drops the
   * socket, `error` sends the dialect's in-stream error event, `stall` stops sending and keeps the
   * socket open, `end` closes cleanly without the final event. Plain requests answer normally.
   */
  | { kind: 'mid-stream'; afterChunks: number; mode: 'reset' | 'error' | 'stall' | 'end' }
  /** Exactly this answer (a JSON value, or a string sent verbatim): for shapes no other fault covers. */
  | { kind: 'raw'; status?: number; body: unknown; headers?: Record<string, string> };

export interface FakeMatch {
  provider?: FakeProviderKind;
  endpoint?: FakeEndpoint;
  /** Body `model` (OpenAI, Anthropic) or the Azure deployment name. */
  model?: string;
  deployment?: string;
  apiKey?: string;
}

/**
 * One scripted behaviour. Rules are tried in order; the first rule that matches the request and
 * whose condition fires decides the answer. A rule without `fault` answers normally (with its latency).
 * Conditions (at most one is meaningful; none means "always"): `failFirst`, `probability`, `flapEvery`.
 */
export interface FakeRule {
  match?: FakeMatch;
  latencyMs?: FakeLatency;
  fault?: FakeFault;
  /** The fault applies to this rule's first N matching requests, then the rule stops firing. */
  failFirst?: number;
  /** The fault applies with this probability (seeded random). */
  probability?: number;
  /** Alternate healthy / failing every N matching requests, starting healthy. */
  flapEvery?: number;
  /** Shape of streamed answers this rule decides. */
  stream?: FakeStreamShape;
}

/** How a streamed answer is paced and sized. */
export interface FakeStreamShape {
  /** Pause before each content chunk after the first, in ms. */
  gapMs?: number;
  /** Exactly this many content chunks (the reply text padded or regrouped); default one per word. */
  chunks?: number;
}

export interface FakeLimits {
  rpm?: number;
  maxConcurrent?: number;
}

export interface FakeProviderOptions {
  /** Shown in the `x-fake-provider` response header; defaults to `fake-<port>`. */
  name?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default latency for requests no latency rule covers. */
  latencyMs?: FakeLatency;
  /** Default shape of streamed answers. */
  stream?: FakeStreamShape;
  /** Shorthand for a trailing rule failing with this probability with `failStatus` (default 500). */
  failRate?: number;
  failStatus?: number;
  /** Seed of the random source used for latency ranges and probabilities. */
  seed?: number;
  rules?: FakeRule[];
  /** Limits enforced per model key (429 over the limit); `modelLimits` overrides per key. */
  rpm?: number;
  maxConcurrent?: number;
  /** Sliding window of the `rpm` limit, default 60 000 ms. */
  rateWindowMs?: number;
  modelLimits?: Record<string, FakeLimits>;
  /** When set, other keys get a 401 in the route's error shape (Bedrock: the SigV4 access key id). */
  apiKeys?: string[];
  /**
   * Bedrock: access key id → secret. When set, every Bedrock request's SigV4 signature is checked and a
   * wrong one gets AWS's 403 `InvalidSignatureException`.
   */
  awsCredentials?: Record<string, string>;
  /** Cap of `fake.requests` (oldest dropped first), default 1000. */
  logLimit?: number;
}

export interface FakeModelStats {
  requests: number;
  ok: number;
  /** Count of HTTP error answers by status (scripted and enforced). */
  errors: Record<number, number>;
  /** 429s from the fake's own rpm / maxConcurrent enforcement. */
  rateLimited: number;
  /** Scripted faults applied, by kind (`hang`, `reset`, `malformed`, …). */
  faults: Record<string, number>;
  /** Peak number of requests in progress at once for this model key (rejected ones included). */
  maxConcurrentSeen: number;
}

export interface FakeStats {
  total: FakeModelStats;
  models: Record<string, FakeModelStats>;
}

export interface FakeRequestRecord {
  time: number;
  method: string;
  path: string;
  route?: FakeRoute;
  /** Model key: body model, or the Azure deployment. */
  model?: string;
  /** Lower-cased headers; credential values replaced by `***<last 4>`. */
  headers: Record<string, string>;
  body: unknown;
  /** Status answered; undefined while in progress or when the socket was dropped. */
  status?: number;
}

export interface FakeProvider {
  readonly url: string;
  readonly port: number;
  readonly name: string;
  /** Capped log of requests received, oldest first. */
  readonly requests: FakeRequestRecord[];
  /** Replace all scripted rules, the start options' ones included (counters restart). */
  script(rules: FakeRule[]): void;
  /** Back to the start options' rules; clears counters, stats, rate-limit windows and the request log. */
  reset(): void;
  stats(): FakeStats;
  close(): Promise<void>;
}
