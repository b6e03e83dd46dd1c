// A transcription is priced per second of audio, but text answers (text, srt, vtt) and some servers' JSON do
// not say how long the audio was: then the length is read from the uploaded file itself (its headers, or a
// scan of its frames), so per-second pricing still applies.
import { type AudioFile, type Deployment, ENDPOINTS, type Endpoint, unitPrices } from '@switchyard/core';
import type { ProviderResponse } from '@switchyard/providers';

type Parser = typeof import('music-metadata');
let parser: Promise<Parser> | undefined;
/** Loaded on the first priced upload whose answer lacks its length: other workers never load the parser. */
const musicMetadata = (): Promise<Parser> => (parser ??= import('music-metadata'));

/** The response, with `usage.units.audioSeconds` from the file when the answer lacked it and it is priced. */
export async function withAudioDuration(
  endpoint: Endpoint,
  deployment: Deployment,
  body: Record<string, unknown>,
  response: ProviderResponse,
): Promise<ProviderResponse> {
  if (!ENDPOINTS[endpoint].upload || response.usage.units?.audioSeconds) return response;
  // Unpriced audio: the length would change nothing, so the file is not parsed.
  if (!unitPrices(deployment).perSecond) return response;
  const seconds = await audioSeconds(body.file as AudioFile);
  if (seconds === undefined) return response;
  const units = { ...response.usage.units, audioSeconds: seconds };
  return { ...response, usage: { ...response.usage, units } };
}

/** Seconds of audio in the file; undefined when its format is unknown or says no length (never throws). */
export async function audioSeconds(file: AudioFile): Promise<number | undefined> {
  try {
    const { parseBuffer } = await musicMetadata();
    const meta = await parseBuffer(
      Buffer.from(file.data, 'base64'),
      { path: file.filename, ...(file.content_type ? { mimeType: file.content_type } : {}) },
      { duration: true, skipCovers: true },
    );
    const seconds = meta.format.duration;
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
  } catch {
    // Not audio the parser knows (or damaged): unpriced rather than a failed job.
    return undefined;
  }
}
