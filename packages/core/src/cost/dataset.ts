// Prices and context windows from the maintained `@pydantic/genai-prices` dataset, memoised per model.
import { calcPrice } from '@pydantic/genai-prices';
import type { Deployment, ProviderKind } from '../config/types.ts';

export interface DatasetModel {
  /** USD per token. */
  input: number;
  output: number;
  contextWindow?: number;
  /** USD per second of input audio (transcription models priced per audio hour, e.g. whisper-1). */
  perAudioSecond?: number;
}

// Small enough to stay on the base tier of tiered prices (some models charge more above ~200k tokens).
const SAMPLE_TOKENS = 1000;

/** The dataset's provider id where it differs from ours (both Google APIs serve the same priced models). */
const DATASET_PROVIDER: Partial<Record<ProviderKind, string>> = {
  gemini: 'google',
  vertex_ai: 'google',
  bedrock: 'aws',
};
const memo = new Map<string, DatasetModel | null>();

/**
 * The dataset entry for the deployment's provider and model — `info.baseModel` when set (Azure deployment
 * names are arbitrary, as in LiteLLM), else `model`. Undefined when the dataset does not know it.
 * Each provider/model pair is searched once per process; later calls are a Map lookup.
 */
export function datasetModel(deployment: Deployment): DatasetModel | undefined {
  const model = deployment.info.baseModel ?? deployment.model;
  const key = `${deployment.provider}\u0000${model}`;
  let entry = memo.get(key);
  if (entry === undefined) {
    entry = search(DATASET_PROVIDER[deployment.provider] ?? deployment.provider, model);
    memo.set(key, entry);
  }
  return entry ?? undefined;
}

function search(providerId: string, model: string): DatasetModel | null {
  let result: ReturnType<typeof calcPrice>;
  try {
    result = calcPrice({ input_tokens: SAMPLE_TOKENS, output_tokens: SAMPLE_TOKENS }, model, { providerId });
  } catch {
    // The dataset throws on malformed price entries; an unknown price is the honest answer.
    return null;
  }
  if (!result) return null;
  const contextWindow = result.model.context_window;
  const audioHour = result.model_price.input_audio_hours ?? result.model_price.audio_hours;
  return {
    input: result.input_price / SAMPLE_TOKENS,
    output: result.output_price / SAMPLE_TOKENS,
    ...(contextWindow === undefined ? {} : { contextWindow }),
    ...(typeof audioHour === 'number' ? { perAudioSecond: audioHour / 3600 } : {}),
  };
}
