// One registry of the stable `code` every error Switchyard throws carries (undici's `UND_ERR_*` habit):
// callers branch on the code, never on a message.
import type { ErrorType } from './taxonomy.ts';

export const ERROR_CODES = {
  /** A config file that does not load (ConfigError; its issues name each bad path). */
  config: 'SY_ERR_CONFIG',
  /** A custom routing strategy module that cannot be imported. */
  customStrategy: 'SY_ERR_CUSTOM_STRATEGY',
  /** The caller stopped waiting for a job's result (the job goes on). */
  waitTimeout: 'SY_ERR_WAIT_TIMEOUT',
  /** A batch ended without every result (failed validation, cancelled, expired). */
  batchEnded: 'SY_ERR_BATCH_ENDED',
  /** A batch record changed under too many concurrent updates. */
  batchConflict: 'SY_ERR_BATCH_CONFLICT',
  /** The gateway stopped waiting for a caller's job (shutdown or the caller hung up). */
  gatewayReleased: 'SY_ERR_GATEWAY_RELEASED',
  /** A request a provider adapter cannot express in that provider's format. */
  providerMapping: 'SY_ERR_PROVIDER_MAPPING',
  /** A provider call after the HTTP pools were closed (worker shutting down). */
  poolsClosed: 'SY_ERR_POOLS_CLOSED',
  /** A deployment of a provider kind no adapter serves. */
  unknownProvider: 'SY_ERR_UNKNOWN_PROVIDER',
  /** A worker died mid-answer: the stream carries a restart marker, a complete second answer follows. */
  streamRestarted: 'SY_ERR_STREAM_RESTARTED',
  /** A stream's head was trimmed (stream_max_entries): it cannot be read from the start. */
  streamTrimmed: 'SY_ERR_STREAM_TRIMMED',
  /** A stream read stopped by its AbortSignal (the job goes on). */
  streamAborted: 'SY_ERR_STREAM_ABORTED',
  /** A resume point that is not a chunk id of the stream. */
  badChunkId: 'SY_ERR_BAD_CHUNK_ID',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | `SY_ERR_${string}`;

/** The code of a taxonomy error: `RateLimitError` → `SY_ERR_RATE_LIMIT`, `Timeout` → `SY_ERR_TIMEOUT`. */
export function taxonomyCode(type: ErrorType): ErrorCode {
  const words = type
    .replace(/Error$/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2');
  return `SY_ERR_${words.toUpperCase()}`;
}

/** An Error with a stable code, for the few places that are not taxonomy errors. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
  }
}
