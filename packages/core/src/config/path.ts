// LiteLLM-style paths: dots for keys, brackets for indexes, quoted brackets for keys that are not identifiers.

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function childPath(base: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const name = String(key);
  if (PLAIN_KEY.test(name)) return base ? `${base}.${name}` : name;
  return `${base}[${JSON.stringify(name)}]`;
}

export function formatPath(base: string, segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((path, key) => childPath(path, key), base);
}
