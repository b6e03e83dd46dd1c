// What each job name means beyond its body: OpenAI path, how its prompt is counted, whether it streams,
// and how binary payloads (audio in, audio out) cross the queue. One table, read by every side.
import type { Endpoint } from './job-names.ts';

export interface EndpointSpec {
  /** OpenAI's path without `/v1` (the gateway's route, the OpenAI-dialect adapters' URL tail). */
  path: string;
  /** The body key holding the text the tpm estimate counts (none for audio uploads). */
  promptKey?: 'messages' | 'prompt' | 'input' | 'query';
  /** The answer is generated text: the completion budget (`max_tokens`, else 256) is reserved too. */
  generatesText: boolean;
  /** `stream: true` is served (chunks to the job's Redis Stream). */
  streams: boolean;
  /** The request carries an audio file (`file`, see AudioFile): sent to the provider as multipart. */
  upload: boolean;
  /** The answer is bytes (see SpeechResult), not a JSON object. */
  binaryAnswer: boolean;
}

export const ENDPOINTS: Readonly<Record<Endpoint, EndpointSpec>> = {
  'chat.completions': spec('/chat/completions', 'messages', { generatesText: true, streams: true }),
  completions: spec('/completions', 'prompt', { generatesText: true, streams: true }),
  embeddings: spec('/embeddings', 'input'),
  'images.generations': spec('/images/generations', 'prompt'),
  'audio.transcriptions': spec('/audio/transcriptions', undefined, { upload: true }),
  'audio.translations': spec('/audio/translations', undefined, { upload: true }),
  'audio.speech': spec('/audio/speech', 'input', { binaryAnswer: true }),
  moderations: spec('/moderations', 'input'),
  rerank: spec('/rerank', 'query'),
};

function spec(
  path: string,
  promptKey: EndpointSpec['promptKey'],
  flags: Partial<Pick<EndpointSpec, 'generatesText' | 'streams' | 'upload' | 'binaryAnswer'>> = {},
): EndpointSpec {
  return {
    path,
    ...(promptKey ? { promptKey } : {}),
    generatesText: false,
    streams: false,
    upload: false,
    binaryAnswer: false,
    ...flags,
  };
}

/**
 * OpenAI's own cap on audio uploads ("Maximum content size limit (26214400) exceeded"), and ours on audio
 * in and audio out unless `switchyard_settings.max_audio_bytes` says otherwise. Counted on the decoded bytes.
 */
export const DEFAULT_MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/**
 * The `file` of an `audio.transcriptions` / `audio.translations` job: the bytes as base64 (job data is JSON;
 * base64 costs a third more in Redis and nothing else), the file name the provider uses to tell the format.
 */
export interface AudioFile {
  /** e.g. `speech.mp3`; the provider reads the format from the extension. */
  filename: string;
  /** Base64 of the file's bytes, at most `max_audio_bytes` once decoded. */
  data: string;
  /** MIME type, when the producer knows it. */
  content_type?: string;
}

/** `audio.speech`'s returnvalue besides `routing`: the provider's bytes as base64, with their type. */
export interface SpeechResult {
  object: 'audio.speech';
  /** The provider's `content-type` (`audio/mpeg` for mp3, `audio/wav`, …). */
  content_type: string;
  /** Base64 of the audio. */
  data: string;
  /** Decoded size in bytes. */
  bytes: number;
}

/** Transcription `response_format`s whose answer is plain text, not JSON. */
export const TEXT_TRANSCRIPT_FORMATS: ReadonlySet<string> = new Set(['text', 'srt', 'vtt']);

/**
 * The returnvalue (besides `routing`) of a transcription asked for `text`, `srt` or `vtt`: OpenAI answers
 * plain text, which a JSON returnvalue carries as `text` (the gateway answers it back as text/plain).
 */
export interface TextTranscript {
  object: 'audio.transcription.text';
  response_format: 'text' | 'srt' | 'vtt';
  text: string;
}

/** Exact decoded size of a base64 string (padding and whitespace-free input assumed, as Buffer writes it). */
export function base64Bytes(data: string): number {
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - pad;
}
