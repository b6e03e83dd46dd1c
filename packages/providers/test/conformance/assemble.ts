// Folds OpenAI chat chunks back into one answer, the way a streaming client would.
type Obj = Record<string, unknown>;

export interface Assembled {
  role?: string;
  text: string;
  toolCalls: { id?: string; name: string; arguments: string }[];
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  objects: string[];
}

export function assemble(chunks: Obj[]): Assembled {
  const out: Assembled = { text: '', toolCalls: [], objects: [] };
  for (const c of chunks) {
    out.objects.push(String(c.object));
    if (c.usage) out.usage = c.usage as Assembled['usage'];
    const choice = (c.choices as Obj[])[0];
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Obj;
    if (typeof delta.role === 'string') out.role = delta.role;
    if (typeof delta.content === 'string') out.text += delta.content;
    for (const t of (delta.tool_calls as Obj[] | undefined) ?? []) {
      const i = Number(t.index);
      const fn = (t.function ?? {}) as Obj;
      const slot = out.toolCalls[i] ?? { name: '', arguments: '' };
      out.toolCalls[i] = slot;
      if (typeof t.id === 'string') slot.id = t.id;
      if (typeof fn.name === 'string') slot.name += fn.name;
      if (typeof fn.arguments === 'string') slot.arguments += fn.arguments;
    }
    if (choice.finish_reason) out.finishReason = String(choice.finish_reason);
  }
  return out;
}

/** Newline-delimited JSON (Ollama). */
export function ndjson(text: string): Obj[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Obj);
}

/** The JSON `data:` payloads of a server-sent-event stream (Gemini, Cohere). */
export function sseData(text: string): Obj[] {
  return text
    .split(/\r?\n\r?\n/)
    .flatMap((block) => block.split(/\r?\n/).filter((l) => l.startsWith('data:')))
    .map((l) => l.slice(5).trim())
    .filter((d) => d !== '' && d !== '[DONE]')
    .map((d) => JSON.parse(d) as Obj);
}
