import { describe, expect, it } from 'vitest';
import { audioSeconds } from '../src/job/audio-duration.ts';

/** 8 kHz mono 8-bit PCM: `bytes` of silence are `bytes / 8000` seconds. */
function wav(bytes: number): string {
  const header = Buffer.alloc(44);
  header.write('RIFFxxxxWAVEfmt ', 0);
  header.writeUInt32LE(36 + bytes, 4);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(bytes, 40);
  return Buffer.concat([header, Buffer.alloc(bytes, 128)]).toString('base64');
}

describe('audioSeconds', () => {
  it('reads the length of a WAV file', async () => {
    expect(await audioSeconds({ filename: 'a.wav', data: wav(12_000) })).toBeCloseTo(1.5, 6);
  });

  it('answers undefined, never throws, for bytes that are no audio or an empty file', async () => {
    const junk = Buffer.from('this is not audio at all').toString('base64');
    expect(await audioSeconds({ filename: 'a.mp3', data: junk, content_type: 'audio/mpeg' })).toBeUndefined();
    expect(await audioSeconds({ filename: 'a.wav', data: '' })).toBeUndefined();
    expect(await audioSeconds({ filename: 'a.wav', data: wav(0) })).toBeUndefined();
  });
});
