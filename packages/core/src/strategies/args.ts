// Reads `routing_strategy_args` values with a clear error naming the key, instead of silently misrouting.

/** A non-negative finite number from `args[key]`, `fallback` when the key is absent. */
export function nonNegativeNumberArg(args: Record<string, unknown>, key: string, fallback: number): number {
  const value = args[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `routing_strategy_args.${key} must be a non-negative number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
