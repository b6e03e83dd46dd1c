#!/usr/bin/env node
// `switchyard` command line: worker, gateway, demo, mock-provider, status, deployments, batch.
import { WORKER_DEFAULTS } from '@switchyard/worker';
import { Command, InvalidArgumentError } from 'commander';
import { runBatchCancel, runBatchResults, runBatchStatus, runBatchSubmit } from './commands/batch.ts';
import {
  runDeploymentsAdd,
  runDeploymentsDelete,
  runDeploymentsList,
  runDeploymentsSet,
  runDeploymentsUpdate,
} from './commands/deployments.ts';
import { runEventsTail } from './commands/events.ts';
import { collect, parsePort, runGateway } from './commands/gateway.ts';
import { runHealth } from './commands/health.ts';
import { runStatus } from './commands/status.ts';
import { runUsage } from './commands/usage.ts';
import { runWorker } from './commands/worker.ts';
import { CONFIG_OPTION } from './fleet-command.ts';

/**
 * `demo` and `mock-provider` run on the testkit (fake providers, embedded Redis), a development dependency:
 * loaded only when asked, so `switchyard worker` never loads it and the production image does not ship it.
 */
async function devCommand<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write(
      `switchyard ${name}: needs the development install (pnpm install in a checkout): ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const program = new Command()
  .name('switchyard')
  .description("LiteLLM Router's routing brain as distributed BullMQ workers")
  .showHelpAfterError();

program
  .command('worker')
  .description('run a worker that routes queued completion jobs (Redis from REDIS_URL, else the config)')
  .requiredOption('-c, --config <file>', 'LiteLLM config.yaml')
  .option(
    '--concurrency <n>',
    'jobs processed at once by this process',
    positiveInt,
    WORKER_DEFAULTS.concurrency,
  )
  .option('--queue <name>', 'queue name (default: switchyard_settings.queue_name or "switchyard")')
  .option('--health-port <n>', 'serve GET /health (200 ready, 503 not) on this port (0 picks one)', Number)
  .action(runWorker);

program
  .command('demo')
  .description(
    'self-contained demo: embedded Redis, fake providers (one flaky), two workers, a few hundred jobs',
  )
  .option('--jobs <n>', 'jobs to enqueue', positiveInt, 300)
  .option('--workers <n>', 'worker processes', positiveInt, 2)
  .option('--keep-open', 'keep the dashboard (and everything behind it) up after the jobs, until Ctrl-C')
  .action(async (opts) => (await devCommand(() => import('./commands/demo.ts'), 'demo')).runDemo(opts));

program
  .command('gateway')
  .description('OpenAI-compatible HTTP gateway in front of the queue (Redis from REDIS_URL)')
  .option('--port <n>', 'port (0 picks a free one)', parsePort, 4000)
  .option(
    '-c, --config <file>',
    'LiteLLM config.yaml (queue, prefix, result TTL, master_key, Redis; /ui dashboard; GET /metrics when metrics are on)',
  )
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--queue <name>', 'queue name (default: switchyard_settings.queue_name or "switchyard")')
  .option(
    '--api-key <key>',
    'require this Bearer key (repeatable; also SWITCHYARD_GATEWAY_KEYS=k1,k2)',
    collect,
    [],
  )
  .option(
    '--read-only-key <key>',
    'a key that may only view /metrics and the /ui dashboard (repeatable; also SWITCHYARD_READONLY_KEYS=k1,k2)',
    collect,
    [],
  )
  .option('--timeout <ms>', 'how long a request waits for its job before a 504', positiveInt, 600_000)
  .option('--batch-max-file-bytes <n>', 'largest /v1/files upload (default 50 MiB)', positiveInt)
  .option('--batch-max-requests <n>', 'most requests in one batch (default 50,000)', positiveInt)
  .option(
    '--batch-retention-seconds <n>',
    'how long files and finished batches are kept (default 7 days)',
    positiveInt,
  )
  .action(runGateway);

program
  .command('mock-provider')
  .description('start the fake OpenAI/Azure/Anthropic provider server for trying things by hand')
  .option('--port <n>', 'port (0 picks a free one)', '4010')
  .option('--latency <ms>', 'added latency per request', '0')
  .option('--fail-rate <p>', 'share of requests answered with a 500', '0')
  .option('--rpm <n>', 'enforce a requests-per-minute limit with 429s')
  .action(async (opts) =>
    (await devCommand(() => import('./commands/mock-provider.ts'), 'mock-provider')).runMockProvider(opts),
  );

program
  .command('status')
  .description('show per-deployment usage, in-flight counts and cooldowns from Redis')
  .requiredOption('-c, --config <file>', 'LiteLLM config.yaml')
  .action(runStatus);

program
  .command('health')
  .description('call every deployment (or one group) with a minimal request, through a running worker')
  .requiredOption(...CONFIG_OPTION)
  .option('--model <group>', 'check one model group only')
  .option('--timeout <seconds>', 'how long to wait for the worker to answer', '120')
  .option('--json', "print LiteLLM's /health JSON instead of a table")
  .action(runHealth);

program
  .command('usage')
  .description("the fleet's calls, tokens, cost and latency per deployment, group, tag or gateway key")
  .requiredOption(...CONFIG_OPTION)
  .option('--since <duration>', 'how far back: 15m, 1h, 7d, …', '1h')
  .option('--by <dimension>', 'deployment | group | tag | key', 'deployment')
  .option('--prices', 'print the prices in use per deployment and their source instead')
  .option('--reset', 'forget the totals and every budget spend (LiteLLM reset_cost)')
  .option('--json', 'print JSON instead of a table')
  .action(runUsage);

const deployments = program
  .command('deployments')
  .description("the fleet's model list in Redis, changed at runtime (every worker follows within a second)");
deployments
  .command('list')
  .description('print the model list (credentials are never shown; os.environ/NAME references are)')
  .requiredOption(...CONFIG_OPTION)
  .option('--json', 'print JSON instead of a table')
  .action(runDeploymentsList);
deployments
  .command('add')
  .description('add a deployment: a model_list entry as JSON or YAML')
  .argument(
    '<entry>',
    "e.g. '{model_name: gpt, litellm_params: {model: openai/gpt-4o, api_key: os.environ/KEY}}'",
  )
  .requiredOption(...CONFIG_OPTION)
  .action(runDeploymentsAdd);
deployments
  .command('update')
  .description('merge fields into the deployment named by model_info.id')
  .argument('<entry>', "e.g. '{model_info: {id: abc}, litellm_params: {api_key: os.environ/NEW_KEY}}'")
  .requiredOption(...CONFIG_OPTION)
  .action(runDeploymentsUpdate);
deployments
  .command('delete')
  .description('remove a deployment by id: jobs in an attempt on it finish, no new attempt goes to it')
  .argument('<id>')
  .requiredOption(...CONFIG_OPTION)
  .action(runDeploymentsDelete);
deployments
  .command('set')
  .description("replace the whole list, atomically, with FILE's model_list (default: the --config file's)")
  .argument('[file]')
  .requiredOption(...CONFIG_OPTION)
  .action(runDeploymentsSet);

program
  .command('events')
  .description('the job-outcome event stream (switchyard_settings.events: true on the workers)')
  .command('tail')
  .description('print outcome events as JSON lines (LiteLLM StandardLoggingPayload) until interrupted')
  .option('-c, --config <file>', "the workers' config: Redis, queue name and prefix")
  .option('--queue <name>', 'queue name (default: the config\'s, else "switchyard")')
  .option('--from-start', 'begin with the oldest event the stream still holds, not with new ones')
  .option('--group <name>', 'read as this consumer group (acknowledging each event)')
  .option('--count <n>', 'stop after n events', positiveInt)
  .action(runEventsTail);

const batch = program
  .command('batch')
  .description('OpenAI-style batches over the queue, as the gateway serves them');
const queueOption = ['--queue <name>', 'queue name (default: the config\'s, else "switchyard")'] as const;
batch
  .command('submit')
  .description('submit an OpenAI batch input file (JSONL: custom_id, method, url, body per line)')
  .argument('<file>', 'the .jsonl input file')
  .option('--model <group>', "run every line on this model group (replaces each body's model)")
  .option('--wait', 'show a progress bar until the batch ends, then where its results are')
  .option('--completion-window <d>', 'the batch deadline, e.g. 24h, 90m', '24h')
  .option(...CONFIG_OPTION)
  .option(...queueOption)
  .action(runBatchSubmit);
batch
  .command('status')
  .description("print a batch's OpenAI Batch object (status, request_counts, file ids)")
  .argument('<id>')
  .option(...CONFIG_OPTION)
  .option(...queueOption)
  .action(runBatchStatus);
batch
  .command('cancel')
  .description('cancel a batch: waiting requests are removed, running ones finish')
  .argument('<id>')
  .option(...CONFIG_OPTION)
  .option(...queueOption)
  .action(runBatchCancel);
batch
  .command('results')
  .description("write a finished batch's output file (stdout, or -o FILE) and optionally its error file")
  .argument('<id>')
  .option('-o, --output <file>', 'write the output JSONL here instead of stdout')
  .option('--errors <file>', 'write the error JSONL here')
  .option(...CONFIG_OPTION)
  .option(...queueOption)
  .action(runBatchResults);

await program.parseAsync(process.argv);
