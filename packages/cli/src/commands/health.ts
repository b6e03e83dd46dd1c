// `switchyard health`: LiteLLM's /health from the command line — a worker calls every deployment (or one
// group's) with a minimal request and the answer is printed as a table (or JSON); exit 1 when any is unhealthy.
import Table from 'cli-table3';
import { withFleetClient } from '../fleet-command.ts';

export async function runHealth(opts: {
  config: string;
  model?: string;
  json?: boolean;
  timeout: string;
}): Promise<void> {
  // Any failure to get a report is exit 2: exit 1 means "a deployment is unhealthy".
  return withFleetClient(
    'health',
    opts.config,
    () => false,
    async (client) => {
      const report = await client.healthCheck(opts.model, { timeoutMs: Number(opts.timeout) * 1000 });
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const table = new Table({ head: ['deployment', 'group', 'model', 'health', 'ms', 'error'] });
        for (const [list, label] of [
          [report.healthy_endpoints, 'healthy'],
          [report.unhealthy_endpoints, 'UNHEALTHY'],
        ] as const) {
          for (const e of list) {
            table.push([e.model_id, e.model_group, e.model, label, e.latency_ms ?? '-', e.error ?? '']);
          }
        }
        process.stdout.write(
          `${table.toString()}\n${report.healthy_count} healthy, ${report.unhealthy_count} unhealthy\n`,
        );
      }
      return report.unhealthy_count > 0 ? 1 : 0;
    },
  );
}
