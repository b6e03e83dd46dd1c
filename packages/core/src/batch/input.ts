// Parse and check a batch input file (OpenAI's JSONL: one `{custom_id, method, url, body}` per line).
// A malformed line fails only that line; a file that is not JSONL at all, or whose lines name another
// endpoint than the batch's, fails the whole batch at `validating` (OpenAI's rule for both).
import type { BatchEndpoint, BatchValidationError } from './types.ts';

/** A line that becomes one queued request. `line` is 1-based, as editors and OpenAI count. */
export interface BatchRequestLine {
  line: number;
  customId: string;
  body: Record<string, unknown>;
}

/** A line refused before anything was queued; it is written to the error file with its line number. */
export interface BatchLineFailure {
  line: number;
  customId: string | null;
  code: string;
  message: string;
  param: string | null;
}

export type BatchInput =
  | { ok: true; requests: BatchRequestLine[]; invalid: BatchLineFailure[]; total: number }
  | { ok: false; errors: BatchValidationError[] };

/** Enough validation errors to show the pattern without copying a whole bad file into the batch object. */
const MAX_FILE_ERRORS = 10;

/** Non-blank lines: what `request_counts.total` counts and what the request cap limits. */
export function countInputLines(text: string): number {
  let n = 0;
  for (const raw of text.split('\n')) if (raw.trim() !== '') n++;
  return n;
}

export function parseBatchInput(text: string, endpoint: BatchEndpoint): BatchInput {
  const requests: BatchRequestLine[] = [];
  const invalid: BatchLineFailure[] = [];
  const mismatched: BatchValidationError[] = [];
  const seen = new Set<string>();
  let objects = 0;
  let mismatchedCount = 0;
  let total = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    total++;
    const line = i + 1;
    const fail = (code: string, message: string, param: string | null, customId: string | null = null) =>
      invalid.push({ line, customId, code, message: `line ${line}: ${message}`, param });
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      fail('invalid_json_line', `not valid JSON (${(err as Error).message})`, null);
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail('invalid_json_line', 'each line must be a JSON object', null);
      continue;
    }
    objects++;
    const entry = parsed as Record<string, unknown>;
    if (typeof entry.url === 'string' && !sameEndpoint(entry.url, endpoint)) {
      mismatchedCount++;
      if (mismatched.length < MAX_FILE_ERRORS) {
        mismatched.push({
          code: 'mismatched_endpoint',
          message: `line ${line}: url ${JSON.stringify(entry.url.slice(0, 200))} does not match the batch's endpoint ${endpoint}`,
          param: 'url',
          line,
        });
      }
      continue;
    }
    const customId = typeof entry.custom_id === 'string' && entry.custom_id !== '' ? entry.custom_id : null;
    if (customId === null) {
      fail('missing_required_parameter', 'custom_id must be a non-empty string', 'custom_id');
      continue;
    }
    if (seen.has(customId)) {
      fail(
        'duplicate_custom_id',
        `custom_id ${JSON.stringify(customId)} is used by an earlier line`,
        'custom_id',
        customId,
      );
      continue;
    }
    seen.add(customId);
    if (entry.method !== undefined && entry.method !== 'POST') {
      fail('invalid_method', 'method must be "POST"', 'method', customId);
      continue;
    }
    if (typeof entry.url !== 'string') {
      fail('missing_required_parameter', `url must be ${JSON.stringify(endpoint)}`, 'url', customId);
      continue;
    }
    const body = entry.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      fail('missing_required_parameter', 'body must be a JSON object (the request body)', 'body', customId);
      continue;
    }
    const request = body as Record<string, unknown>;
    if (typeof request.model !== 'string' || request.model === '') {
      fail('missing_required_parameter', 'body.model must name a model group', 'body.model', customId);
      continue;
    }
    if (request.stream === true) {
      fail('invalid_request', 'body.stream: true is not supported in a batch', 'body.stream', customId);
      continue;
    }
    requests.push({ line, customId, body: request });
  }
  if (total === 0) {
    return { ok: false, errors: [fileError('empty_file', 'the input file has no requests')] };
  }
  if (objects === 0) {
    const first = invalid[0]!;
    return {
      ok: false,
      errors: [
        fileError(
          'invalid_file_format',
          `the input file is not JSONL: no line is a JSON object (${first.message})`,
        ),
      ],
    };
  }
  if (mismatchedCount > 0) {
    if (mismatchedCount > mismatched.length) {
      const more = mismatchedCount - mismatched.length;
      mismatched.push(fileError('mismatched_endpoint', `… and ${more} more lines name another endpoint`));
    }
    return { ok: false, errors: mismatched };
  }
  return { ok: true, requests, invalid, total };
}

/** OpenAI writes `/v1/chat/completions`; the bare `/chat/completions` means the same here, as on the gateway. */
function sameEndpoint(url: string, endpoint: BatchEndpoint): boolean {
  const path = url.trim().replace(/\/+$/, '');
  return path === endpoint || `/v1${path}` === endpoint;
}

function fileError(code: string, message: string): BatchValidationError {
  return { code, message, param: null, line: null };
}
