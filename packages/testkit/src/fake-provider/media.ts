// OpenAI's non-chat endpoints, faked: images, audio transcriptions/translations (multipart in; json,
// verbose_json, text, srt, vtt out), speech (audio bytes out), moderations, and a vLLM/TEI-style `/rerank`.
import { estimateTokens, randomId } from './content.ts';
import { overlapScore } from './dialects/dialect.ts';
import type { FakeEndpoint } from './types.ts';

type Obj = Record<string, unknown>;

/** A success that is not JSON (speech audio, a plain-text transcript): written as these bytes. */
export class RawBody {
  readonly bytes: Buffer;
  readonly contentType: string;
  constructor(bytes: Buffer, contentType: string) {
    this.bytes = bytes;
    this.contentType = contentType;
  }
}

/** What the fake keeps of an uploaded file in the request's body (and its request log). */
export interface FakeUpload {
  filename: string;
  bytes: number;
  type: string;
}

export const MEDIA_PATHS: Readonly<Record<string, FakeEndpoint>> = {
  '/images/generations': 'images.generations',
  '/audio/transcriptions': 'audio.transcriptions',
  '/audio/translations': 'audio.translations',
  '/audio/speech': 'audio.speech',
  '/moderations': 'moderations',
  '/rerank': 'rerank',
};

/** A multipart body as a plain object: text fields as sent (`key[]` as arrays), the file as FakeUpload. */
export async function formBody(raw: Buffer, contentType: string): Promise<Obj> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const body: Obj = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    const first = values[0];
    if (first instanceof Blob) {
      body[key] = {
        filename: first instanceof File ? first.name : '',
        bytes: first.size,
        type: first.type,
      } satisfies FakeUpload;
    } else if (key.endsWith('[]')) body[key.slice(0, -2)] = values.map(String);
    else body[key] = String(first);
  }
  return body;
}

/** Pretend audio runs at 16 kB a second, so a file's duration follows from its size. */
const AUDIO_BYTES_PER_SECOND = 16_000;

const SPEECH_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

export function mediaSuccess(endpoint: FakeEndpoint, body: Obj, model: string): unknown {
  switch (endpoint) {
    case 'images.generations':
      return images(body, model);
    case 'audio.transcriptions':
    case 'audio.translations':
      return transcript(endpoint, body);
    case 'audio.speech': {
      // Deterministic bytes whose size follows the input: 64 bytes per character after a marker.
      const input = String(body.input ?? '');
      const unit = Buffer.from(`${input.slice(0, 63)}|`.padEnd(64, '.'));
      const bytes = Buffer.concat([
        Buffer.from('FAKEAUDIO:'),
        ...Array.from({ length: input.length }, () => unit),
      ]);
      return new RawBody(bytes, SPEECH_TYPES[String(body.response_format ?? 'mp3')] ?? 'audio/mpeg');
    }
    case 'moderations':
      return moderations(body, model);
    case 'rerank':
      return rerank(body, model);
    default:
      return undefined;
  }
}

function images(body: Obj, model: string): Obj {
  const n = typeof body.n === 'number' && body.n > 0 ? Math.min(body.n, 10) : 1;
  const prompt = String(body.prompt ?? '');
  const data = Array.from({ length: n }, (_, i) =>
    body.response_format === 'b64_json'
      ? { b64_json: Buffer.from(`fake-png ${i} ${prompt}`).toString('base64'), revised_prompt: prompt }
      : { url: `https://fake.invalid/images/${randomId('img_')}.png`, revised_prompt: prompt },
  );
  const out: Obj = { created: Math.floor(Date.now() / 1000), data };
  // gpt-image models report token usage; DALL·E models do not.
  if (model.startsWith('gpt-image')) {
    const input = estimateTokens(prompt);
    out.usage = { input_tokens: input, output_tokens: 1000 * n, total_tokens: input + 1000 * n };
  }
  return out;
}

function transcript(endpoint: FakeEndpoint, body: Obj): unknown {
  const file = (body.file ?? { filename: '', bytes: 0, type: '' }) as FakeUpload;
  const task = endpoint === 'audio.translations' ? 'translate' : 'transcribe';
  const text = `${task}d ${file.filename} (${file.bytes} bytes)${body.prompt ? ` prompt: ${String(body.prompt)}` : ''}`;
  const duration = Number((file.bytes / AUDIO_BYTES_PER_SECOND).toFixed(2));
  const stamp = (s: number, sep: string) =>
    `${new Date(s * 1000).toISOString().slice(11, 19)}${sep}${String(Math.round((s % 1) * 1000)).padStart(3, '0')}`;
  switch (body.response_format) {
    case 'text':
      return new RawBody(Buffer.from(`${text}\n`), 'text/plain; charset=utf-8');
    case 'srt':
      return new RawBody(
        Buffer.from(`1\n${stamp(0, ',')} --> ${stamp(duration, ',')}\n${text}\n\n`),
        'text/plain; charset=utf-8',
      );
    case 'vtt':
      return new RawBody(
        Buffer.from(`WEBVTT\n\n${stamp(0, '.')} --> ${stamp(duration, '.')}\n${text}\n\n`),
        'text/vtt; charset=utf-8',
      );
    case 'verbose_json': {
      const granularities = Array.isArray(body.timestamp_granularities) ? body.timestamp_granularities : [];
      const words = text.split(' ').map((word, i, all) => ({
        word,
        start: (duration * i) / all.length,
        end: (duration * (i + 1)) / all.length,
      }));
      return {
        task,
        language: endpoint === 'audio.translations' ? 'english' : String(body.language ?? 'english'),
        duration,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: duration,
            text,
            tokens: [],
            temperature: 0,
            avg_logprob: -0.1,
            compression_ratio: 1,
            no_speech_prob: 0,
          },
        ],
        ...(granularities.includes('word') ? { words } : {}),
      };
    }
    default:
      return { text, usage: { type: 'duration', seconds: Math.ceil(duration) } };
  }
}

/** Flags anything mentioning "violence": enough for tests to see both answers. */
function moderations(body: Obj, model: string): Obj {
  const inputs = Array.isArray(body.input)
    ? body.input.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)))
    : [String(body.input ?? '')];
  return {
    id: randomId('modr-'),
    model: model === '(none)' ? 'omni-moderation-latest' : model,
    results: inputs.map((text) => {
      const violent = /violence/i.test(text);
      return {
        flagged: violent,
        categories: { violence: violent, hate: false, harassment: false, 'self-harm': false, sexual: false },
        category_scores: {
          violence: violent ? 0.97 : 0.001,
          hate: 0.001,
          harassment: 0.001,
          'self-harm': 0,
          sexual: 0,
        },
      };
    }),
  };
}

/** vLLM / TEI / Infinity `/rerank`: Cohere's shape with `document: {text}` and token usage. */
function rerank(body: Obj, model: string): Obj {
  const query = String(body.query ?? '');
  const docs = Array.isArray(body.documents)
    ? body.documents.map((d) => (typeof d === 'string' ? d : String((d as Obj)?.text ?? JSON.stringify(d))))
    : [];
  const ranked = docs
    .map((text, index) => ({ index, relevance_score: overlapScore(query, text), document: { text } }))
    .sort((a, b) => b.relevance_score - a.relevance_score);
  const top = typeof body.top_n === 'number' ? ranked.slice(0, body.top_n) : ranked;
  return {
    id: randomId('rerank-'),
    model,
    usage: { total_tokens: estimateTokens([query, ...docs].join(' ')) },
    results: top,
  };
}
