import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ destination, level: 'debug' }) };
}

it('redacts keys wherever a deployment, config or header dump puts them', () => {
  const { lines, logger } = capture();
  logger.info({ deployment: { id: 'a', apiKey: 'sk-live-1' } }, 'one');
  logger.info({ config: { litellm: { api_key: 'sk-live-2' } } }, 'two');
  logger.info(
    { apiKey: 'sk-live-3', headers: { authorization: 'Bearer sk-live-4', 'api-key': 'az-5' } },
    'three',
  );
  logger.info({ request: { headers: { 'x-api-key': 'ant-6' } } }, 'four');
  logger.info({ deployment: { id: 'b', passThrough: { anthropic: { apiKey: 'ant-7' } } } }, 'five');
  const out = lines.join('');
  for (const secret of ['sk-live-1', 'sk-live-2', 'sk-live-3', 'sk-live-4', 'az-5', 'ant-6', 'ant-7']) {
    expect(out).not.toContain(secret);
  }
  expect(out).toContain('[redacted]');
  expect(out).toContain('"id":"a"');
});
