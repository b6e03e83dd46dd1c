// `switchyard mock-provider`: the test fake, standalone, for trying configs by hand.
import { startFakeProvider } from '@switchyard/testkit';

export async function runMockProvider(opts: {
  port: string;
  latency: string;
  failRate: string;
  rpm?: string;
}): Promise<void> {
  const fake = await startFakeProvider({
    port: Number(opts.port),
    latencyMs: Number(opts.latency),
    failRate: Number(opts.failRate),
    ...(opts.rpm ? { rpm: Number(opts.rpm) } : {}),
  });
  process.stdout.write(
    `fake provider listening on ${fake.url}\n` +
      `  OpenAI:    api_base ${fake.url}/v1\n` +
      `  Azure:     api_base ${fake.url} (azure/<deployment>)\n` +
      `  Anthropic: api_base ${fake.url}\n`,
  );
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
