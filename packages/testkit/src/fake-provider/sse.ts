// Server-sent-event frames in each dialect's streaming format, so the official SDKs' stream readers work.
import type { Reply } from './bodies.ts';
import type { FakeRoute } from './types.ts';

/** Words with their trailing space, so the deltas concatenate back to the full text. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [''];
}

function data(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

function event(name: string, obj: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(obj)}\n\n`;
}

export function sseFrames(route: FakeRoute, body: Record<string, unknown>, r: Reply): string[] {
  if (route.endpoint === 'messages') return anthropicFrames(r);
  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const usage = {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
  const head = { id: r.id, created: r.created, model: r.model };
  const frames: string[] = [];
  if (route.endpoint === 'completions') {
    for (const text of pieces(r.text)) {
      frames.push(
        data({
          ...head,
          object: 'text_completion',
          choices: [{ text, index: 0, logprobs: null, finish_reason: null }],
        }),
      );
    }
    frames.push(
      data({
        ...head,
        object: 'text_completion',
        choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
      }),
    );
  } else {
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      data({
        ...head,
        object: 'chat.completion.chunk',
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
    frames.push(chunk({ role: 'assistant', content: '', refusal: null }, null));
    for (const content of pieces(r.text)) frames.push(chunk({ content }, null));
    frames.push(chunk({}, 'stop'));
  }
  if (includeUsage) {
    const object = route.endpoint === 'completions' ? 'text_completion' : 'chat.completion.chunk';
    frames.push(data({ ...head, object, choices: [], usage }));
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

function anthropicFrames(r: Reply): string[] {
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
      content_block: { type: 'text', text: '' },
    }),
    event('ping', { type: 'ping' }),
  ];
  for (const text of pieces(r.text)) {
    frames.push(
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    );
  }
  frames.push(
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: r.completionTokens },
    }),
    event('message_stop', { type: 'message_stop' }),
  );
  return frames;
}
