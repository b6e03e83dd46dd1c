// `completion_window` → seconds. OpenAI accepts only "24h"; any `<n>s|m|h|d` is accepted here so a short
// window can be asked for (tests, deadline-bound pipelines). The window becomes the batch deadline.

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Undefined when the text is not a positive duration such as "24h", "90m" or "30s". */
export function completionWindowSeconds(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  return seconds > 0 ? seconds : undefined;
}
