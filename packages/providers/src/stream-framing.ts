// The wire formats providers stream in, each cut into whole events as bytes arrive, never buffering an answer:
// server-sent events (OpenAI, Anthropic, Gemini/Vertex, Cohere), newline-delimited JSON (Ollama) and the AWS
// binary event stream (Bedrock ConverseStream). A framing throws a plain Error when the bytes are not its format.
import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

type Obj = Record<string, unknown>;

/** One stream's cutter: bytes in, the events they complete out (state carries partial events over). */
export interface Framing<F> {
  feed(piece: Uint8Array): F[];
}

/** An event longer than this (no legitimate chunk is) is a broken stream, not a buffer to grow. */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export function sseFraming(): Framing<EventSourceMessage> {
  const text = new TextDecoder();
  let out: EventSourceMessage[] = [];
  let broken: string | undefined;
  const parser = createParser({
    onEvent: (event) => out.push(event),
    onError: (err) => {
      broken = err.message;
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });
  return {
    feed(piece) {
      parser.feed(text.decode(piece, { stream: true }));
      if (broken !== undefined) throw new Error(broken);
      const done = out;
      out = [];
      return done;
    },
  };
}

function jsonObject(text: string, what: string): Obj {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${what} is not a JSON object`);
  return parsed as Obj;
}

/** SSE whose `data:` is one JSON object per event (Gemini, Cohere); OpenAI's `[DONE]` is skipped. */
export function sseJsonFraming(): Framing<Obj> {
  const sse = sseFraming();
  return {
    feed: (piece) =>
      sse
        .feed(piece)
        .filter((e) => e.data.trim() !== '' && e.data !== '[DONE]')
        .map((e) => jsonObject(e.data, 'stream event')),
  };
}

/** One JSON object a line (Ollama). */
export function ndjsonFraming(): Framing<Obj> {
  const text = new TextDecoder();
  let partial = '';
  return {
    feed(piece) {
      partial += text.decode(piece, { stream: true });
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_EVENT_BYTES) throw new Error('a line exceeds the event size limit');
      return lines.filter((l) => l.trim() !== '').map((l) => jsonObject(l, 'stream line'));
    },
  };
}

/** One AWS event-stream message: an event, a modelled exception, or an unmodelled error, by name. */
export interface AwsStreamMessage {
  kind: 'event' | 'exception' | 'error';
  /** `:event-type`, `:exception-type` or `:error-code`. */
  type: string;
  payload: Obj;
}

/**
 * The AWS binary event stream (length-prefixed, CRC-checked messages; `@smithy/eventstream-codec` decodes one
 * message). The codec is passed in because the AWS modules load on the first Bedrock call only.
 */
export function awsEventStreamFraming(codec: EventStreamCodec): Framing<AwsStreamMessage> {
  let buffered = new Uint8Array(0);
  const utf8 = new TextDecoder();
  return {
    feed(piece) {
      const joined = new Uint8Array(buffered.length + piece.length);
      joined.set(buffered);
      joined.set(piece, buffered.length);
      const out: AwsStreamMessage[] = [];
      let at = 0;
      while (joined.length - at >= 4) {
        const length = new DataView(joined.buffer, joined.byteOffset + at, 4).getUint32(0);
        if (length < 16 || length > MAX_EVENT_BYTES)
          throw new Error(`event-stream message of ${length} bytes`);
        if (joined.length - at < length) break;
        const message = codec.decode(joined.subarray(at, at + length));
        at += length;
        const header = (name: string) => {
          const v = message.headers[name]?.value;
          return v === undefined ? undefined : String(v);
        };
        const kind = header(':message-type') ?? 'event';
        const body = utf8.decode(message.body);
        if (kind === 'error') {
          const code = header(':error-code') ?? 'InternalServerException';
          out.push({ kind, type: code, payload: { message: header(':error-message') ?? body } });
        } else if (kind === 'exception') {
          const type = header(':exception-type') ?? 'internalServerException';
          out.push({ kind, type, payload: body.trim() === '' ? {} : jsonObject(body, 'exception') });
        } else {
          out.push({ kind: 'event', type: header(':event-type') ?? '', payload: jsonObject(body, 'event') });
        }
      }
      buffered = joined.slice(at);
      return out;
    },
  };
}
