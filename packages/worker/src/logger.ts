// pino JSON logs; secrets are redacted by path so a config or header dump can never leak a key.
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'api_key',
  '*.api_key',
  '*.*.api_key',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["api-key"]',
  '*.headers["x-api-key"]',
  // A bare `*` deployment keeps one key per provider it may pass a request through to.
  'passThrough.*.apiKey',
  '*.passThrough.*.apiKey',
];

export function createLogger(
  opts: { level?: string; name?: string; destination?: DestinationStream } = {},
): Logger {
  const options = {
    name: opts.name ?? 'switchyard',
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
