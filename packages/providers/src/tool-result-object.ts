// A tool's result arrives as text; Converse and Gemini take a JSON object result as structured data, so both
// ask the same question of the text: is it a JSON object?
import type { Obj } from './chat-parts.ts';

/** The JSON object `text` holds; undefined for plain text, arrays and other JSON values. */
export function toolResultObject(text: string): Obj | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Obj;
  } catch {
    // plain text result
  }
  return undefined;
}
