// `switchyard deployments list|add|update|delete|set`: the fleet's model list in Redis, changed at runtime
// (what the gateway's /model/* routes do), for the Redis and queue the config names.
import { readFileSync } from 'node:fs';
import type { SwitchyardClient } from '@switchyard/client';
import { ConfigError, type StoredModelEntry } from '@switchyard/core';
import Table from 'cli-table3';
import { parse } from 'yaml';
import { withFleetClient } from '../fleet-command.ts';

export interface DeploymentsOptions {
  config: string;
}

/** Runs `fn` on the config's fleet; bad input (an entry, a field) prints its fields and exits 1. */
function withClient(opts: DeploymentsOptions, fn: (client: SwitchyardClient) => Promise<void>) {
  return withFleetClient('deployments', opts.config, (err) => err instanceof ConfigError, fn);
}

/** A deployment given on the command line: JSON or YAML text. */
function entryArg(text: string): Record<string, unknown> {
  const value: unknown = parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ path: '', message: 'expected a model_list entry (a JSON or YAML mapping)' }]);
  }
  return value as Record<string, unknown>;
}

function printList(version: number, entries: readonly StoredModelEntry[]): void {
  const table = new Table({ head: ['id', 'model_name', 'model', 'api_base', 'api_key'] });
  for (const e of entries) {
    const p = e.litellm_params;
    table.push([
      e.model_info.id,
      e.model_name,
      String(p.model ?? ''),
      String(p.api_base ?? '-'),
      String(p.api_key ?? '(hidden)'),
    ]);
  }
  process.stdout.write(`model list version ${version}\n${table.toString()}\n`);
}

export function runDeploymentsList(opts: DeploymentsOptions & { json?: boolean }): Promise<void> {
  return withClient(opts, async (client) => {
    const doc = await client.getDeployments();
    if (opts.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else printList(doc.version, doc.entries);
  });
}

export function runDeploymentsAdd(entry: string, opts: DeploymentsOptions): Promise<void> {
  return withClient(opts, async (client) => {
    const doc = await client.addDeployment(entryArg(entry));
    process.stdout.write(`added; model list version ${doc.version}\n`);
  });
}

export function runDeploymentsUpdate(entry: string, opts: DeploymentsOptions): Promise<void> {
  return withClient(opts, async (client) => {
    const doc = await client.updateDeployment(entryArg(entry));
    process.stdout.write(`updated; model list version ${doc.version}\n`);
  });
}

export function runDeploymentsDelete(id: string, opts: DeploymentsOptions): Promise<void> {
  return withClient(opts, async (client) => {
    const doc = await client.deleteDeployment(id);
    process.stdout.write(`deleted ${id}; model list version ${doc.version}\n`);
  });
}

/** Replaces the whole list with FILE's model_list (default: the --config file's). */
export function runDeploymentsSet(file: string | undefined, opts: DeploymentsOptions): Promise<void> {
  return withClient(opts, async (client) => {
    // The list as written: os.environ/NAME stays a reference for each worker to resolve, not this shell.
    const text = readFileSync(file ?? opts.config, 'utf8');
    const parsed: unknown = parse(text);
    const list =
      parsed && typeof parsed === 'object' ? (parsed as { model_list?: unknown }).model_list : undefined;
    const doc = await client.setModelList(Array.isArray(list) ? list : []);
    process.stdout.write(`model list replaced (${doc.entries.length} deployments); version ${doc.version}\n`);
  });
}
