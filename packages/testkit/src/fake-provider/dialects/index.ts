// The dialects beyond OpenAI / Azure / Anthropic, by provider kind.
import type { FakeProviderKind } from '../types.ts';
import { bedrockDialect } from './bedrock.ts';
import { cohereDialect } from './cohere.ts';
import type { Dialect } from './dialect.ts';
import { geminiDialect, vertexDialect } from './google.ts';
import { ollamaDialect } from './ollama.ts';

export type { Dialect, StreamAnswer, Turn } from './dialect.ts';

export const DIALECTS: readonly Dialect[] = [
  cohereDialect,
  ollamaDialect,
  geminiDialect,
  vertexDialect,
  bedrockDialect,
];

export function dialectOf(provider: FakeProviderKind): Dialect | undefined {
  return DIALECTS.find((d) => d.provider === provider);
}
