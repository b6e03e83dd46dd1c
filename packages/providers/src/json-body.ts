// Parse a 2xx body into an object, turning junk and embedded error objects into classified errors.
import { classifyErrorBody, type ErrorContext, malformedResponse } from './errors.ts';
import type { HttpExchange } from './exchange.ts';

export function parseJsonObject(ctx: ErrorContext, ex: HttpExchange): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ex.text);
  } catch {
    throw malformedResponse(
      ctx,
      ex.text.trim() === '' ? 'empty body' : 'invalid or truncated JSON',
      ex.text,
      ex.headers,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw malformedResponse(ctx, 'not a JSON object', ex.text, ex.headers);
  }
  const body = parsed as Record<string, unknown>;
  if (body.error !== undefined && body.error !== null) throw classifyErrorBody(ctx, body, ex.headers);
  if (body.type === 'error' || body.object === 'error') throw classifyErrorBody(ctx, body, ex.headers);
  return body;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
