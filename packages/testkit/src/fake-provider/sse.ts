// Server-sent-event frames in each dialect's streaming format, so the official SDKs' stream readers work.
import type { Reply } from './bodies.ts';
import type { FakeRoute, FakeStreamShape } from './types.ts';

/** One SSE frame; `content` frames carry a piece of the answer (gaps and mid-stream faults count them). */
export interface SseFrame {
  text: string;
  content: boolean;
}

/** Words with their trailing space, so the deltas concatenate back to the full text. */
function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [''];
}

/** The text in exactly `count` pieces when asked (padded with filler words), else one per word. */
export function pieces(text: string, count?: number): string[] {
  const list = words(text);
  if (count === undefined || count < 1) return list;
  while (list.length < count) list.push(`w${list.length} `);
  if (list.length === count) return list;
  const out: string[] = [];
  const per = Math.ceil(list.length / count);
  for (let i = 0; i < list.length; i += per) out.push(list.slice(i, i + per).join(''));
  while (out.length < count) out.push(' ');
  return out;
}

/** The text a reply streams (filler included), so tests can compare it with the assembled answer. */
export function streamedText(text: string, shape: FakeStreamShape | undefined): string {
  return pieces(text, shape?.chunks).join('');
}

/** The dialect's in-stream error event (a mid-stream `error` fault). */
export function sseErrorFrame(route: FakeRoute): string {
  if (route.endpoint === 'messages') {
    return event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  }
  return data({
    error: { message: 'The server had an error while processing your request.', type: 'server_error' },
  });
}

function data(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

function event(name: string, obj: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(obj)}\n\n`;
}

export function sseFrames(
  route: FakeRoute,
  body: Record<string, unknown>,
  r: Reply,
  shape?: FakeStreamShape,
): SseFrame[] {
  // A tool call streams its arguments in pieces, as the providers do.
  const parts = r.toolCall ? halves(JSON.stringify(r.toolCall.args)) : pieces(r.text, shape?.chunks);
  const plain = (text: string): SseFrame => ({ text, content: false });
  const content = (text: string): SseFrame => ({ text, content: true });
  if (route.endpoint === 'messages')
    return anthropicFrames(r, parts).map((f, i, all) =>
      i >= 3 && i < all.length - 3 ? content(f) : plain(f),
    );
  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const usage = {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
  const head = { id: r.id, created: r.created, model: r.model };
  const frames: SseFrame[] = [];
  if (route.endpoint === 'completions') {
    for (const text of parts) {
      frames.push(
        content(
          data({
            ...head,
            object: 'text_completion',
            choices: [{ text, index: 0, logprobs: null, finish_reason: null }],
          }),
        ),
      );
    }
    frames.push(
      plain(
        data({
          ...head,
          object: 'text_completion',
          choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
        }),
      ),
    );
  } else {
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      data({
        ...head,
        object: 'chat.completion.chunk',
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
    frames.push(plain(chunk({ role: 'assistant', content: '', refusal: null }, null)));
    const call = r.toolCall;
    if (call) {
      parts.forEach((args, i) => {
        const head =
          i === 0 ? { id: call.id, type: 'function', function: { name: call.name, arguments: args } } : {};
        frames.push(
          content(chunk({ tool_calls: [{ index: 0, function: { arguments: args }, ...head }] }, null)),
        );
      });
    } else for (const text of parts) frames.push(content(chunk({ content: text }, null)));
    frames.push(plain(chunk({}, call ? 'tool_calls' : 'stop')));
  }
  if (includeUsage) {
    const object = route.endpoint === 'completions' ? 'text_completion' : 'chat.completion.chunk';
    frames.push(plain(data({ ...head, object, choices: [], usage })));
  }
  frames.push(plain('data: [DONE]\n\n'));
  return frames;
}

function halves(text: string): string[] {
  const mid = Math.ceil(text.length / 2);
  return [text.slice(0, mid), text.slice(mid)];
}

function anthropicFrames(r: Reply, parts: string[]): string[] {
  const call = r.toolCall;
  const frames = [
    event('message_start', {
      type: 'message_start',
      message: {
        id: r.id,
        type: 'message',
        role: 'assistant',
        model: r.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: r.promptTokens, output_tokens: 1 },
      },
    }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: call
        ? { type: 'tool_use', id: call.id, name: call.name, input: {} }
        : { type: 'text', text: '' },
    }),
    event('ping', { type: 'ping' }),
  ];
  for (const text of parts) {
    frames.push(
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: call ? { type: 'input_json_delta', partial_json: text } : { type: 'text_delta', text },
      }),
    );
  }
  frames.push(
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: call ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: r.completionTokens },
    }),
    event('message_stop', { type: 'message_stop' }),
  );
  return frames;
}
