// Shared pieces of the batch suites: JSONL input builders, polling a batch through the OpenAI SDK, and
// running the `switchyard` command line.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type OpenAI from 'openai';
import { toFile } from 'openai';

export interface InputLine {
  custom_id: string;
  model: string;
  content?: string;
}

/** One OpenAI batch input line for /v1/chat/completions. */
export function chatLine({ custom_id, model, content }: InputLine): string {
  return JSON.stringify({
    custom_id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: content ?? custom_id }] },
  });
}

export async function upload(sdk: OpenAI, text: string, name = 'input.jsonl') {
  return sdk.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
}

const DONE = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** Polls until the batch reaches a terminal status; every status seen on the way is returned too. */
export async function settle(sdk: OpenAI, id: string, timeoutMs = 30_000) {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await sdk.batches.retrieve(id);
    if (seen.at(-1) !== batch.status) seen.push(batch.status);
    if (DONE.has(batch.status)) return { batch, seen };
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface OutputLine {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: Record<string, unknown> } | null;
  error: { code: string; message: string; line?: number } | null;
}

export async function download(sdk: OpenAI, fileId: string | null | undefined): Promise<OutputLine[]> {
  if (!fileId) return [];
  const text = await (await sdk.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as OutputLine);
}

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/cli/src/main.ts');

/** `switchyard <args>` as a child process with `env` over this one's (undefined removes a variable). */
export function runCli(args: string[], env: Record<string, string | undefined>) {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise<{ code: number | null; out: string; err: string }>((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: merged });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}
