// The USD cost of one response, as reported in `routing.cost`: tokens, plus the units the non-text
// endpoints bill (images, seconds of audio, characters of speech, rerank queries).
import type { Deployment } from '../config/types.ts';
import { pricePerToken, unitPrices } from './price.ts';

/** What an answer used besides tokens; each counted only by the endpoint that bills it. */
export interface UnitUsage {
  /** Images generated (`images.generations`). */
  images?: number;
  /** Seconds of audio transcribed or translated. */
  audioSeconds?: number;
  /** Characters of text spoken (`audio.speech`). */
  characters?: number;
  /** Rerank searches (one per request, as Cohere bills). */
  queries?: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  units?: UnitUsage;
}

/**
 * USD for this usage at the deployment's prices. Returns 0 when no price is known (no model_info prices
 * and not in the dataset) — so 0 means "free or unknown", not necessarily free.
 */
export function costOf(deployment: Deployment, usage: TokenUsage): number {
  const price = pricePerToken(deployment);
  const tokens = price ? usage.promptTokens * price.input + usage.completionTokens * price.output : 0;
  const units = usage.units;
  if (!units) return tokens;
  const unit = unitPrices(deployment);
  return (
    tokens +
    (units.images ?? 0) * (unit.perImage ?? 0) +
    (units.audioSeconds ?? 0) * (unit.perSecond ?? 0) +
    (units.characters ?? 0) * (unit.perCharacter ?? 0) +
    (units.queries ?? 0) * (unit.perQuery ?? 0)
  );
}
