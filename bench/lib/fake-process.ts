// Starts bench/fake-provider-process.ts: the fake provider in its own process (see there why).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FakeProviderOptions, FakeRule } from '@switchyard/testkit';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), '../fake-provider-process.ts');

export interface FakeProcess {
  url: string;
  script(rules: FakeRule[]): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeProcess(opts: FakeProviderOptions): Promise<FakeProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, FAKE_OPTIONS: JSON.stringify(opts) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the fake provider process exited');
    return line.value;
  };
  const first = await next();
  if (!first.startsWith('ready ')) throw new Error(`fake provider process: ${first}`);
  return {
    url: first.slice('ready '.length),
    async script(rules) {
      child.stdin.write(`${JSON.stringify({ script: rules })}\n`);
      if ((await next()) !== 'ok') throw new Error('fake provider process did not take the script');
    },
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
