import { describe, expect, it } from 'vitest';
import { healthCheckBody, healthCheckEndpoint, healthyOnly, loadConfig } from '../src/index.ts';

describe('health checks', () => {
  it("checks by model_info.mode, else the group's first use, else chat; modes without a job type are not checked", () => {
    const info = (mode?: string) => ({ info: mode === undefined ? {} : { mode } });
    expect(healthCheckEndpoint(info('embedding'), 'chat.completions')).toEqual({ endpoint: 'embeddings' });
    expect(healthCheckEndpoint(info(), 'completions')).toEqual({ endpoint: 'completions' });
    expect(healthCheckEndpoint(info(), undefined)).toEqual({ endpoint: 'chat.completions' });
    expect(healthCheckEndpoint(info('image_generation'), undefined)).toEqual({
      endpoint: 'images.generations',
    });
    expect(healthCheckEndpoint(info('audio_transcription'), undefined)).toEqual({
      endpoint: 'audio.transcriptions',
    });
    expect(healthCheckEndpoint(info('batch'), undefined)).toEqual({
      unsupported: 'mode "batch" has no health check here yet',
    });
  });

  it('a transcription check uploads a valid, tiny WAV', () => {
    const body = healthCheckBody('audio.transcriptions') as { file: { data: string; filename: string } };
    const wav = Buffer.from(body.file.data, 'base64');
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  });

  it('health routing skips failed deployments, but never all of a group', () => {
    const group = [{ id: 'a' }, { id: 'b' }];
    expect(healthyOnly(group, new Set(['a']))).toEqual([{ id: 'b' }]);
    expect(healthyOnly(group, new Set(['a', 'b']))).toEqual(group);
  });

  it("reads LiteLLM's general_settings health keys", () => {
    const config = loadConfig({
      model_list: [{ model_name: 'g', litellm_params: { model: 'openai/x', api_key: 'k' } }],
      general_settings: {
        background_health_checks: true,
        health_check_interval: 30,
        enable_health_check_routing: 'true',
      },
    });
    expect(config.health).toEqual({ background: true, intervalMs: 30_000, routing: true });
    expect(config.warnings).toEqual([]);
    expect(() =>
      loadConfig({ model_list: [], general_settings: { health_check_interval: 'often' } }),
    ).toThrow(/general_settings\.health_check_interval: expected a positive number/);
  });
});
