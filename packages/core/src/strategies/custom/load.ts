// The only I/O of the strategies: importing the user's custom strategy module once at worker start.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodedError, ERROR_CODES } from '../../errors/codes.ts';
import type { RoutingStrategy } from '../types.ts';
import { customStrategy } from './index.ts';

/** Import `path` (relative paths resolve against the working directory) and adapt it with customStrategy. */
export async function loadCustomStrategy(path: string): Promise<RoutingStrategy> {
  const url = pathToFileURL(resolve(path)).href;
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (error) {
    throw new CodedError(
      ERROR_CODES.customStrategy,
      `custom_routing_strategy: cannot import ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return customStrategy(mod, `custom_routing_strategy ${path}`);
}
