// Bedrock ConverseStream events (decoded from the AWS event stream: `{ <eventType>: payload }`, the shape the
// AWS SDK yields) → OpenAI chat chunks. Exception events become classified errors.
import { type ErrorType, SwitchyardError } from '@switchyard/core';
import { converseFinish, converseUsage } from './bedrock-mapping.ts';
import { type ChunkMeta, chatChunk, type FinishReason, type Obj } from './chat-parts.ts';

/** Exceptions ConverseStream can send mid-stream, by event name. */
const STREAM_ERRORS: Readonly<Record<string, ErrorType>> = {
  throttlingException: 'RateLimitError',
  serviceUnavailableException: 'ServiceUnavailableError',
  modelStreamErrorException: 'InternalServerError',
  internalServerException: 'InternalServerError',
  validationException: 'BadRequestError',
};

/**
 * A mapper for one stream. State: which content block is which tool call (Bedrock numbers blocks, OpenAI numbers
 * tool calls) and the stop reason, which arrives before the usage (`messageStop`, then `metadata`).
 */
export function createBedrockStreamMapper(meta: ChunkMeta): (event: Obj) => Obj[] {
  const toolIndexOfBlock = new Map<number, number>();
  let finish: FinishReason = 'stop';
  return (event) => {
    const [type, raw] = Object.entries(event)[0] ?? [];
    const payload = (raw ?? {}) as Obj;
    const errorType = type === undefined ? undefined : STREAM_ERRORS[type];
    if (errorType) {
      throw new SwitchyardError(errorType, `bedrock: ${type}: ${String(payload.message ?? '')}`, {
        provider: 'bedrock',
      });
    }
    const block = Number(payload.contentBlockIndex ?? 0);
    switch (type) {
      case 'messageStart':
        return [chatChunk(meta, { role: 'assistant', content: '' })];
      case 'contentBlockStart': {
        const tool = ((payload.start ?? {}) as Obj).toolUse as Obj | undefined;
        if (!tool) return [];
        const index = toolIndexOfBlock.size;
        toolIndexOfBlock.set(block, index);
        return [
          chatChunk(meta, {
            tool_calls: [
              {
                index,
                id: String(tool.toolUseId ?? ''),
                type: 'function',
                function: { name: String(tool.name ?? ''), arguments: '' },
              },
            ],
          }),
        ];
      }
      case 'contentBlockDelta': {
        const delta = (payload.delta ?? {}) as Obj;
        if (typeof delta.text === 'string' && delta.text !== '')
          return [chatChunk(meta, { content: delta.text })];
        const input = (delta.toolUse as Obj | undefined)?.input;
        const index = toolIndexOfBlock.get(block);
        if (typeof input === 'string' && input !== '' && index !== undefined) {
          return [chatChunk(meta, { tool_calls: [{ index, function: { arguments: input } }] })];
        }
        return []; // reasoningContent and empty deltas
      }
      case 'messageStop':
        finish = converseFinish(payload.stopReason);
        return [];
      case 'metadata':
        return [chatChunk(meta, {}, finish, converseUsage(payload.usage))];
      default:
        return []; // contentBlockStop
    }
  };
}
