// Shared pieces of the batch suites: JSONL input builders and polling a batch through the OpenAI SDK.
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
