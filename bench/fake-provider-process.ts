// The fake provider in a process of its own, as a real provider is: a caller in the bench process then
// pays the same cross-process hops to it as a worker does. Options come as JSON in FAKE_OPTIONS; each
// stdin line `{"script": [rules]}` replaces its rules and is answered `ok`.
import { createInterface } from 'node:readline';
import { startFakeProvider } from '@switchyard/testkit';

const fake = await startFakeProvider(JSON.parse(process.env.FAKE_OPTIONS ?? '{}'));
process.stdout.write(`ready ${fake.url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const { script } = JSON.parse(line) as { script: Parameters<typeof fake.script>[0] };
  fake.script(script);
  process.stdout.write('ok\n');
}
await fake.close(); // stdin closed: the bench is done
