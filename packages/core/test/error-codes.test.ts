// Every error carries a stable code callers can branch on.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ERROR_CODES,
  ERROR_TYPES,
  loadConfig,
  SwitchyardError,
  taxonomyCode,
} from '../src/index.ts';

describe('error codes', () => {
  it('gives each taxonomy type its own SY_ERR_ code', () => {
    const codes = ERROR_TYPES.map(taxonomyCode);
    expect(new Set(codes).size).toBe(ERROR_TYPES.length);
    expect(taxonomyCode('RateLimitError')).toBe('SY_ERR_RATE_LIMIT');
    expect(taxonomyCode('ContextWindowExceededError')).toBe('SY_ERR_CONTEXT_WINDOW_EXCEEDED');
    expect(taxonomyCode('Timeout')).toBe('SY_ERR_TIMEOUT');
    expect(new SwitchyardError('APIConnectionError', 'x').code).toBe('SY_ERR_API_CONNECTION');
  });

  it('codes a config that does not load', () => {
    let err: unknown;
    try {
      loadConfig({ model_list: [{ model_name: 'x' }] }, { env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(ERROR_CODES.config);
  });
});
