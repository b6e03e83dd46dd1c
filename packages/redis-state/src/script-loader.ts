// Reads the Lua commands once (BullMQ layout: `--- @include "includes/x"` pulls a shared piece in)
// and registers them with ioredis, which runs EVALSHA and reloads the script on NOSCRIPT.
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type ScriptName =
  | 'reserveCapacity'
  | 'recordOutcome'
  | 'releaseReservation'
  | 'snapshotDeployments'
  | 'writeModelList'
  | 'addSpend'
  | 'checkBudgets'
  | 'addEvents';

const SCRIPT_NAMES: readonly ScriptName[] = [
  'reserveCapacity',
  'recordOutcome',
  'releaseReservation',
  'snapshotDeployments',
  'writeModelList',
  'addSpend',
  'checkBudgets',
  'addEvents',
];
const COMMANDS_DIR = new URL('./commands/', import.meta.url);
const INCLUDE = /^--- @include "([\w/.-]+)"\s*$/gm;

/** Script source with its includes inlined, each at most once. */
export function scriptSource(name: string, seen: Set<string> = new Set()): string {
  const text = readFileSync(new URL(`${name}.lua`, COMMANDS_DIR), 'utf8');
  return text.replace(INCLUDE, (_line, include: string) => {
    if (seen.has(include)) return '';
    seen.add(include);
    return scriptSource(include, seen);
  });
}

let sources: Map<ScriptName, string> | undefined;
const registered = new WeakSet<RedisClient>();

function commandName(name: ScriptName): string {
  return `switchyard_${name}`;
}

/** Runs a registered script as one round trip; keys and args are passed with a variable key count. */
export function runScript(
  client: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (!registered.has(client)) {
    sources ??= new Map(SCRIPT_NAMES.map((n) => [n, scriptSource(n)]));
    for (const [n, lua] of sources) client.defineCommand(commandName(n), { lua });
    registered.add(client);
  }
  const command = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
    commandName(name)
  ]!;
  return command.call(client, keys.length, ...keys, ...args);
}
