// Our multipart encoder against the standard's parser (undici's Response.formData): what a provider reads back
// must be exactly what the worker put in the form, bytes and awkward names included.
import { describe, expect, it } from 'vitest';
import { encodeMultipart } from '../src/multipart.ts';

async function decode(form: FormData): Promise<FormData> {
  const { payload, contentType } = await encodeMultipart(form);
  return new Response(payload, { headers: { 'content-type': contentType } }).formData();
}

describe('encodeMultipart', () => {
  it('round-trips a file byte for byte with its name and type, and text fields in order', async () => {
    // Every byte value, including CR, LF and "--": a file part is never rewritten.
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'audio/mpeg' }), 'talk.mp3');
    form.append('model', 'whisper-1');
    form.append('timestamp_granularities[]', 'word');
    form.append('timestamp_granularities[]', 'segment');
    const back = await decode(form);
    const file = back.get('file') as File;
    expect(file.name).toBe('talk.mp3');
    expect(file.type).toBe('audio/mpeg');
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    expect(back.get('model')).toBe('whisper-1');
    expect(back.getAll('timestamp_granularities[]')).toEqual(['word', 'segment']);
  });

  it('escapes quotes and line breaks in names and sends text with CRLF line breaks, as browsers do', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('x')]), 'a "b"\r\nc.wav');
    form.append('prompt', 'line one\nline two');
    const { payload } = await encodeMultipart(form);
    const text = payload.toString('latin1');
    expect(text).toContain('filename="a %22b%22%0D%0Ac.wav"');
    expect(text).toContain('Content-Type: application/octet-stream');
    expect(text).toContain('line one\r\nline two');
    const back = await decode(form);
    expect(back.get('prompt')).toBe('line one\r\nline two');
    expect((back.get('file') as File).size).toBe(1);
  });
});
