// The output and error files' lines, exactly as OpenAI writes them: `{id, custom_id, response, error}`,
// where a request that got an HTTP answer has `response {status_code, request_id, body}` (errors too:
// OpenAI puts non-2xx answers in the error file with their error body) and one that never got an
// answer (malformed line, expired) has `response: null` and `error {code, message}`.

import { parseFailedReason } from '../contract/failure.ts';
import { openaiErrorFor } from '../errors/openai-error-body.ts';
import type { BatchLineFailure } from './input.ts';
import type { BatchRequestCounts } from './types.ts';

export interface BatchOutputLine {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string; param?: string | null; line?: number } | null;
}

/** OpenAI's wording for requests a batch's completion window ran out on. */
export const EXPIRED_MESSAGE = 'This request could not be executed before the completion window expired.';

/**
 * The failedReason of a request a worker picked up after its batch was cancelled or expired, before it
 * made any provider call: it never ran, and is written as such (left out on cancel, `batch_expired`).
 */
export function notStartedReason(batchId: string, status: string): string {
  return `BadRequestError: ${NOT_STARTED} (batch ${batchId} is ${status})`;
}
const NOT_STARTED = 'not started: the batch stopped first';

/** For a `notStartedReason`: how the batch stopped ('expired', 'cancelling', 'cancelled'); else undefined. */
export function notStartedStatus(reason: string): string | undefined {
  if (!reason.includes(NOT_STARTED)) return undefined;
  return /is (\w+)\)$/.exec(reason)?.[1] ?? 'cancelled';
}

/** A request's place in its batch: which line it came from, its caller's id, its job id. */
export interface BatchSlot {
  line: number;
  customId: string;
  jobId: string;
}

/** `batch_req_<batch>_<line>`: unique per line, stable across re-reads of the same batch. */
export function batchRequestId(batchId: string, line: number): string {
  return `batch_req_${batchId.replace(/^batch_/, '')}_${line}`;
}

export function successLine(batchId: string, slot: BatchSlot, body: unknown): BatchOutputLine {
  return {
    id: batchRequestId(batchId, slot.line),
    custom_id: slot.customId,
    response: { status_code: 200, request_id: slot.jobId, body },
    error: null,
  };
}

/** A routed request that failed after its retries and fallbacks: OpenAI's error body and status. */
export function failureLine(batchId: string, slot: BatchSlot, failedReason: string): BatchOutputLine {
  const { type, message } = parseFailedReason(failedReason);
  const { status, body } = openaiErrorFor(type, message);
  return {
    id: batchRequestId(batchId, slot.line),
    custom_id: slot.customId,
    response: { status_code: status, request_id: slot.jobId, body },
    error: null,
  };
}

export function invalidLine(batchId: string, failure: BatchLineFailure): BatchOutputLine {
  return {
    id: batchRequestId(batchId, failure.line),
    custom_id: failure.customId,
    response: null,
    error: { code: failure.code, message: failure.message, param: failure.param, line: failure.line },
  };
}

export function expiredLine(batchId: string, slot: BatchSlot): BatchOutputLine {
  return {
    id: batchRequestId(batchId, slot.line),
    custom_id: slot.customId,
    response: null,
    error: { code: 'batch_expired', message: EXPIRED_MESSAGE },
  };
}

export interface BatchResults {
  output: BatchOutputLine[];
  errors: BatchOutputLine[];
  counts: BatchRequestCounts;
}

/**
 * Assemble a finished batch's files from what the queue kept: each request's result or failure by job
 * id. A request with neither never ran (removed on cancel or expiry): on expiry it is written as
 * `batch_expired`, on cancel it is left out (as OpenAI does). Lines come out in input order.
 */
export function assembleResults(opts: {
  batchId: string;
  slots: readonly BatchSlot[];
  invalid: readonly BatchLineFailure[];
  results: ReadonlyMap<string, unknown>;
  failures: ReadonlyMap<string, string>;
  expired: boolean;
}): BatchResults {
  const output: BatchOutputLine[] = [];
  const errors: { line: number; entry: BatchOutputLine }[] = opts.invalid.map((f) => ({
    line: f.line,
    entry: invalidLine(opts.batchId, f),
  }));
  for (const slot of opts.slots) {
    if (opts.results.has(slot.jobId)) {
      output.push(successLine(opts.batchId, slot, opts.results.get(slot.jobId)));
      continue;
    }
    const failed = opts.failures.get(slot.jobId);
    const reason = failed !== undefined && notStartedStatus(failed) ? undefined : failed;
    if (reason !== undefined)
      errors.push({ line: slot.line, entry: failureLine(opts.batchId, slot, reason) });
    else if (opts.expired) errors.push({ line: slot.line, entry: expiredLine(opts.batchId, slot) });
  }
  errors.sort((a, b) => a.line - b.line);
  return {
    output,
    errors: errors.map((e) => e.entry),
    counts: {
      total: opts.slots.length + opts.invalid.length,
      completed: output.length,
      failed: errors.length,
    },
  };
}

/** JSONL text: one JSON object a line, newline-terminated (what OpenAI's files hold). */
export function toJsonl(lines: readonly unknown[]): string {
  let text = '';
  for (const line of lines) text += `${JSON.stringify(line)}\n`;
  return text;
}
