// Read a JSON request body with a size cap; the cap is checked as bytes arrive, not after buffering.
import type { IncomingMessage } from 'node:http';
import { gatewayError, type HttpError } from './openai-error.ts';

export type BodyResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: HttpError };

/** The whole body, or undefined as soon as it is known to exceed `maxBytes`. */
export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  // An honest content-length lets us refuse before reading a byte.
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(value: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(value ?? '');
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const raw = await readRawBody(req, maxBytes);
  if (!raw) {
    return { ok: false, error: gatewayError(413, `request body is larger than ${maxBytes} bytes`) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return {
      ok: false,
      error: gatewayError(400, `request body is not valid JSON: ${(err as Error).message}`),
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, error: gatewayError(400, 'request body must be a JSON object') };
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}
