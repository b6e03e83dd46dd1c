// OpenAI's cursor page (`GET /v1/files`, `GET /v1/batches`): one envelope for every list the gateway serves.

/** `data` as an OpenAI list, its first and last ids the cursors for the next call. */
export function listPage(data: readonly { id: string }[], hasMore: boolean): Record<string, unknown> {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
