// LiteLLM's rule for an OpenAI parameter a provider lacks: refused unless `drop_params` is on, then dropped.
// The Anthropic mapping and the translated adapters apply it alike, so what counts as set and the refusal's
// wording are stated once.

/** The keys of `body` that `lacks` names and that are set: null is unset, and `n: 1` is the default, not a choice. */
export function unsupportedParams(body: Record<string, unknown>, lacks: (key: string) => boolean): string[] {
  return Object.keys(body).filter(
    (k) => lacks(k) && body[k] !== undefined && body[k] !== null && !(k === 'n' && body[k] === 1),
  );
}

export function unsupportedParamsMessage(provider: string, keys: readonly string[]): string {
  return `${provider} does not support parameters: ${keys.join(', ')}; set drop_params: true to drop them`;
}
