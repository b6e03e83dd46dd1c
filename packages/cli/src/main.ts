#!/usr/bin/env node
// `switchyard` command line: worker, demo, mock-provider, status.
import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from './commands/demo.ts';
import { runMockProvider } from './commands/mock-provider.ts';
import { runStatus } from './commands/status.ts';
import { runWorker } from './commands/worker.ts';

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
  .description('run a worker that routes queued completion jobs (Redis from REDIS_URL)')
  .requiredOption('-c, --config <file>', 'LiteLLM config.yaml')
  .option('--concurrency <n>', 'jobs processed at once by this process', positiveInt, 50)
  .option('--queue <name>', 'queue name (default: switchyard_settings.queue_name or "switchyard")')
  .action(runWorker);

program
  .command('demo')
  .description(
    'self-contained demo: embedded Redis, fake providers (one flaky), two workers, a few hundred jobs',
  )
  .option('--jobs <n>', 'jobs to enqueue', positiveInt, 300)
  .option('--workers <n>', 'worker processes', positiveInt, 2)
  .action(runDemo);

program
  .command('mock-provider')
  .description('start the fake OpenAI/Azure/Anthropic provider server for trying things by hand')
  .option('--port <n>', 'port (0 picks a free one)', '4010')
  .option('--latency <ms>', 'added latency per request', '0')
  .option('--fail-rate <p>', 'share of requests answered with a 500', '0')
  .option('--rpm <n>', 'enforce a requests-per-minute limit with 429s')
  .action(runMockProvider);

program
  .command('status')
  .description('show per-deployment usage, in-flight counts and cooldowns from Redis')
  .requiredOption('-c, --config <file>', 'LiteLLM config.yaml')
  .action(runStatus);

await program.parseAsync(process.argv);
