// Adapts a user's module (`custom_routing_strategy`) to RoutingStrategy, enforcing the never-drop rule.
import type { Candidate, RouteContext, RoutingStrategy } from '../types.ts';

type UserFunction = (candidates: readonly Candidate[], ctx: RouteContext) => unknown;
type Shape = { kind: 'rank' | 'choose' | 'either'; fn: UserFunction; name: string };

/**
 * Accepted module shapes, checked in this order:
 * - `export function rank(candidates, ctx)` returning candidates best first (Candidate, Deployment or id);
 * - `export function choose(candidates, ctx)` returning one candidate (Candidate, Deployment or id; null
 *   or undefined = no preference), the rest following in the given order;
 * - `export default` an object of either shape, or a function: an array result is read as `rank`,
 *   anything else as `choose`.
 * Functions must be synchronous (routing runs inside the worker's hot path).
 * Whatever the user returns, the result is a permutation of the input: unmentioned candidates follow in
 * their given order and repeats are ignored, because Lua needs every candidate to fall back on.
 */
export function customStrategy(mod: unknown, source = 'custom routing strategy'): RoutingStrategy {
  const shape = resolveShape(mod, source);
  return {
    name: shape.name,
    rank(candidates, ctx) {
      const result = shape.fn(candidates, ctx);
      if (result instanceof Promise) {
        throw new TypeError(
          `${source}: ${shape.kind === 'either' ? 'default export' : shape.kind}() returned a Promise; it must be synchronous`,
        );
      }
      const ranked = Array.isArray(result)
        ? result
        : shape.kind === 'rank'
          ? notAnArray(source, result)
          : [result];
      return complete(candidates, ranked, source);
    },
  };
}

function resolveShape(mod: unknown, source: string): Shape {
  if (isObject(mod)) {
    const name = typeof mod.name === 'string' && mod.name !== '' ? mod.name : 'custom';
    if (typeof mod.rank === 'function') return { kind: 'rank', fn: mod.rank.bind(mod) as UserFunction, name };
    if (typeof mod.choose === 'function')
      return { kind: 'choose', fn: mod.choose.bind(mod) as UserFunction, name };
    if ('default' in mod && mod.default !== undefined) return resolveShape(mod.default, source);
  }
  if (typeof mod === 'function')
    return { kind: 'either', fn: mod as UserFunction, name: mod.name || 'custom' };
  throw new TypeError(
    `${source}: expected a module exporting rank(candidates, ctx) or choose(candidates, ctx) (or a default export of either), got ${describe(mod)}`,
  );
}

function notAnArray(source: string, value: unknown): never {
  throw new TypeError(`${source}: rank() must return an array of candidates, got ${describe(value)}`);
}

/** Map what the user returned back onto the input candidates, then append the ones not mentioned. */
function complete(candidates: readonly Candidate[], ranked: readonly unknown[], source: string): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const c of candidates) byId.set(c.deployment.id, c);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const item of ranked) {
    if (item === null || item === undefined) continue;
    const id = idOf(item);
    const candidate = id === undefined ? undefined : byId.get(id);
    if (candidate === undefined) {
      throw new TypeError(`${source}: returned ${describe(item)}, which is not one of the candidates`);
    }
    if (seen.has(id!)) continue;
    seen.add(id!);
    out.push(candidate);
  }
  for (const c of candidates) if (!seen.has(c.deployment.id)) out.push(c);
  return out;
}

/** A Candidate, a Deployment or a deployment id string → the deployment id. */
function idOf(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (!isObject(item)) return undefined;
  if (isObject(item.deployment) && typeof item.deployment.id === 'string') return item.deployment.id;
  return typeof item.id === 'string' ? item.id : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).join(', ')}]`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
