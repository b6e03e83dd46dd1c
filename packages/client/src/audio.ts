// Audio across the queue for SDK callers: a Buffer in (base64 in job data, capped before it reaches Redis)
// and a Buffer out (the speech result's base64 decoded, with its content type and routing).
import {
  type AudioFile,
  base64Bytes,
  DEFAULT_MAX_AUDIO_BYTES,
  type RoutedResult,
  type RoutingInfo,
} from '@switchyard/core';

/** An audio file as a caller holds it: bytes, or base64 already. */
export interface AudioInput {
  filename: string;
  data: Uint8Array | string;
  content_type?: string;
}

/** `audio.speech`'s answer: the audio bytes, with the provider's content type and the job's routing. */
export type SpeechAudio = Buffer & { contentType: string; routing: RoutingInfo };

/** The job data's `file`; throws (with the cap in the message) for a file over `maxBytes`. */
export function audioFile(input: AudioInput, maxBytes = DEFAULT_MAX_AUDIO_BYTES): AudioFile {
  const data = typeof input.data === 'string' ? input.data : Buffer.from(input.data).toString('base64');
  const bytes = typeof input.data === 'string' ? base64Bytes(data) : input.data.byteLength;
  if (bytes > maxBytes)
    throw new RangeError(`file is ${bytes} bytes, more than max_audio_bytes (${maxBytes} bytes)`);
  return {
    filename: input.filename,
    data,
    ...(input.content_type ? { content_type: input.content_type } : {}),
  };
}

export function speechAudio(result: RoutedResult): SpeechAudio {
  const audio = Buffer.from(String(result.data ?? ''), 'base64');
  return Object.assign(audio, {
    contentType: String(result.content_type ?? 'application/octet-stream'),
    routing: result.routing,
  });
}
