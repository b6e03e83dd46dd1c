// What the commands acting on a running fleet through the queue (health, usage, deployments, batch, events)
// share: the --config option, a client for that config's Redis and queue layout that is always closed, and
// one exit convention.
import { type ClientOptions, SwitchyardClient } from '@switchyard/client';
import { ConfigError, type SwitchyardConfig } from '@switchyard/core';
import { loadConfigOrExit } from './load-config.ts';
import { redisTarget } from './redis-target.ts';

export const CONFIG_OPTION = ['-c, --config <file>', 'LiteLLM config.yaml (Redis and queue)'] as const;

/**
 * A client's options for the workers' config: its Redis (redisTarget), queue name, prefix and shards — the
 * layout the workers consume; without a config, the client's defaults (REDIS_CLUSTER_NODES / REDIS_URL,
 * queue `switchyard`). `queue` (a --queue flag) overrides the name.
 */
export function clientOptions(config: SwitchyardConfig | undefined, queue?: string): ClientOptions {
  const queueName = queue ?? config?.switchyard.queueName;
  return {
    ...(config ? { redisUrl: redisTarget(config).url, queueShards: config.switchyard.queueShards } : {}),
    ...(queueName ? { queueName } : {}),
    ...(config?.switchyard.queuePrefix ? { prefix: config.switchyard.queuePrefix } : {}),
  };
}

/**
 * Runs `fn` with a client for the config's fleet and exits with the number it returns (anything else: 0). An error is
 * printed as `switchyard <command>: <message>`, exit 1 when `refused(err)` (the caller's input), else 2 — also when
 * no client can be made for that Redis (a cluster without a tagged prefix): one line, never a stack.
 */
export async function withFleetClient(
  command: string,
  configPath: string | undefined,
  refused: (err: unknown) => boolean,
  fn: (client: SwitchyardClient) => Promise<unknown>,
  queue?: string,
): Promise<void> {
  const config = configPath ? loadConfigOrExit(configPath) : undefined;
  let client: SwitchyardClient | undefined;
  let code = 0;
  try {
    client = new SwitchyardClient(clientOptions(config, queue));
    const returned = await fn(client);
    code = typeof returned === 'number' ? returned : 0;
  } catch (err) {
    // Without --config the queue layout is the default one, which may not be the workers' (or fit a cluster).
    const hint = !config && err instanceof ConfigError ? " (give the workers' config with --config)" : '';
    process.stderr.write(`switchyard ${command}: ${(err as Error).message}${hint}\n`);
    code = refused(err) ? 1 : 2;
  } finally {
    await client?.close();
  }
  process.exit(code);
}
