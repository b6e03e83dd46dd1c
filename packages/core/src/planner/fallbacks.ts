// Which group a job falls back to: the list for the error's kind, walked depth-first like LiteLLM's recursion.
import type { FallbackMap, RouterSettings } from '../config/types.ts';
import type { ErrorType } from '../errors/taxonomy.ts';
import type { FallbackFrame, PlanState } from './state.ts';

type FallbackSettings = Pick<
  RouterSettings,
  'fallbacks' | 'defaultFallbacks' | 'contextWindowFallbacks' | 'contentPolicyFallbacks' | 'maxFallbacks'
>;

/** The group's own list, else the wildcard source's (`[{"*": [...]}]`), as LiteLLM looks them up. */
function listIn(map: FallbackMap, group: string): string[] | undefined {
  if (Object.hasOwn(map, group)) return map[group];
  return Object.hasOwn(map, '*') ? map['*'] : undefined;
}

/** The fallback list of `group` for an error of `type`; a present key (even empty) wins over defaults. */
export function fallbackList(settings: FallbackSettings, group: string, type: ErrorType): string[] {
  // A safety refusal is never routed around through generic fallbacks (LiteLLM #40406).
  if (type === 'ContentPolicyViolationError') return listIn(settings.contentPolicyFallbacks, group) ?? [];
  const generic = listIn(settings.fallbacks, group) ?? settings.defaultFallbacks;
  if (type === 'ContextWindowExceededError') return listIn(settings.contextWindowFallbacks, group) ?? generic;
  return generic;
}

export interface FallbackChoice {
  group: string;
  /** The open lists after this choice: the new group's parent is the frame whose list named it. */
  chain: FallbackFrame[];
}

/**
 * The next group to try after `state.group` failed with `type`, or undefined when none is left.
 * The current group's list comes first, then its ancestors' remaining entries; entered groups are skipped.
 */
export function nextFallback(
  settings: FallbackSettings,
  state: Pick<PlanState, 'group' | 'chain' | 'triedGroups' | 'fallbacksUsed'>,
  type: ErrorType,
): FallbackChoice | undefined {
  if (state.fallbacksUsed >= settings.maxFallbacks) return undefined;
  const frames: FallbackFrame[] = [...state.chain, { group: state.group, errorType: type }];
  const tried = new Set(state.triedGroups);
  for (let depth = frames.length - 1; depth >= 0; depth--) {
    const frame = frames[depth]!;
    // Once a provider refused on safety grounds, only content-policy lists may carry the prompt on.
    const kind = type === 'ContentPolicyViolationError' ? type : frame.errorType;
    const target = fallbackList(settings, frame.group, kind).find((g) => !tried.has(g));
    if (target !== undefined) return { group: target, chain: frames.slice(0, depth + 1) };
  }
  return undefined;
}
