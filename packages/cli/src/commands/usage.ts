// `switchyard usage`: the fleet's totals per deployment, group, tag or gateway key (LiteLLM's
// print_deployment_metrics), or with --prices the prices in use per deployment and where they come from.
import type { UsageDimension, UsageRow } from '@switchyard/core';
import Table from 'cli-table3';
import { withFleetClient } from '../fleet-command.ts';

export interface UsageOptions {
  config: string;
  since: string;
  by: string;
  json?: boolean;
  prices?: boolean;
  reset?: boolean;
}

export async function runUsage(opts: UsageOptions): Promise<void> {
  // A RangeError is a bad --since or --by: the caller's input.
  return withFleetClient(
    'usage',
    opts.config,
    (err) => err instanceof RangeError,
    async (client) => {
      if (opts.reset) {
        await client.resetCost();
        process.stdout.write('usage totals and budget spend reset\n');
      } else if (opts.prices) {
        const prices = await client.getModelCostMap();
        if (opts.json) process.stdout.write(`${JSON.stringify(prices, null, 2)}\n`);
        else {
          const table = new Table({
            head: ['deployment', 'group', 'model', '$ / 1M input', '$ / 1M output', 'source'],
          });
          for (const p of prices) {
            table.push([
              p.id,
              p.modelGroup,
              p.model,
              perMillion(p.inputCostPerToken),
              perMillion(p.outputCostPerToken),
              p.source,
            ]);
          }
          process.stdout.write(`${table.toString()}\n`);
        }
      } else {
        const stats = await client.getUsageStats({ since: opts.since, by: opts.by as UsageDimension });
        if (opts.json) process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        else process.stdout.write(`${usageTable(opts.by, stats.rows)}\nlast ${opts.since}\n`);
      }
    },
  );
}

export function usageTable(by: string, rows: readonly UsageRow[]): string {
  const table = new Table({
    head: [by, 'requests', 'ok', 'failures', 'prompt tok', 'completion tok', 'cost $', 'p50 ms', 'p95 ms'],
  });
  for (const r of rows) {
    const failures = Object.entries(r.failures)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    table.push([
      // A key is shown by the start of its SHA-256 (the key itself is never stored).
      by === 'key' ? `${r.id.slice(0, 12)}…` : r.id,
      r.requests,
      r.successes,
      failures || '-',
      r.promptTokens,
      r.completionTokens,
      r.cost.toFixed(6),
      r.latencyP50Ms === undefined ? '-' : `≤ ${r.latencyP50Ms}`,
      r.latencyP95Ms === undefined ? '-' : `≤ ${r.latencyP95Ms}`,
    ]);
  }
  return table.toString();
}

function perMillion(perToken: number): string {
  return (perToken * 1_000_000).toFixed(4);
}
