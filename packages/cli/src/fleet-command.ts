// What the commands acting on a running fleet through the queue (health, usage, deployments) share: the
// --config option, a client for that config's Redis and queue that is always closed, and one exit convention.
import { SwitchyardClient } from '@switchyard/client';
import { loadConfigOrExit } from './load-config.ts';
import { redisTarget } from './redis-target.ts';

export const CONFIG_OPTION = ['-c, --config <file>', 'LiteLLM config.yaml (Redis and queue)'] as const;

/**
 * Runs `fn` with a client for the config's fleet and exits with the number it returns (anything else: 0). An error is
 * printed as `switchyard <command>: <message>`, exit 1 when `refused(err)` (the caller's input), else 2.
 */
export async function withFleetClient(
  command: string,
  configPath: string,
  refused: (err: unknown) => boolean,
  fn: (client: SwitchyardClient) => Promise<unknown>,
): Promise<void> {
  const config = loadConfigOrExit(configPath);
  const client = new SwitchyardClient({
    redisUrl: redisTarget(config).url,
    queueName: config.switchyard.queueName,
    ...(config.switchyard.queuePrefix ? { prefix: config.switchyard.queuePrefix } : {}),
    queueShards: config.switchyard.queueShards,
  });
  let code = 0;
  try {
    const returned = await fn(client);
    code = typeof returned === 'number' ? returned : 0;
  } catch (err) {
    process.stderr.write(`switchyard ${command}: ${(err as Error).message}\n`);
    code = refused(err) ? 1 : 2;
  } finally {
    await client.close();
  }
  process.exit(code);
}
