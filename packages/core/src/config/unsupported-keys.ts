// Walks raw input alongside its schema and lists keys the schema does not know, so nothing is dropped silently.
import { z } from 'zod';
import { isMapping } from './is-mapping.ts';
import { childPath } from './path.ts';
import type { KeyNote } from './schema.ts';

export const UNSUPPORTED = 'unsupported, ignored';

/** Appends `<path>: <why>` for each unknown key and each accepted-but-noted key found in `value`. */
export function collectUnsupportedKeys(
  schema: z.ZodType,
  value: unknown,
  path: string,
  warnings: string[],
): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isMapping(value)) {
    // Loose objects (litellm_params, model_info) keep their extra keys on purpose.
    const loose = inner.def.catchall !== undefined;
    const shape: Record<string, z.ZodType> = inner.shape;
    for (const [key, child] of Object.entries(value)) {
      const keyPath = childPath(path, key);
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (field === undefined) {
        if (!loose) warnings.push(`${keyPath}: ${UNSUPPORTED}`);
        continue;
      }
      const note = z.globalRegistry.get(field) as Partial<KeyNote> | undefined;
      if (typeof note?.warning === 'string') warnings.push(`${keyPath}: ${note.warning}`);
      collectUnsupportedKeys(field, child, keyPath, warnings);
    }
  } else if (inner instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, index) => {
      collectUnsupportedKeys(inner.element as z.ZodType, item, childPath(path, index), warnings);
    });
  } else if (inner instanceof z.ZodRecord && isMapping(value)) {
    for (const [key, child] of Object.entries(value)) {
      collectUnsupportedKeys(inner.valueType as z.ZodType, child, childPath(path, key), warnings);
    }
  }
}

/** Peels optional/default/nullable/pipe wrappers down to the schema that describes the value's shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      // Preprocess pipes start with a transform; the shape is on the output side.
      current = (current.in instanceof z.ZodTransform ? current.out : current.in) as z.ZodType;
    } else {
      return current;
    }
  }
}
