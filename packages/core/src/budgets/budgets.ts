// Which spend caps apply to a deployment (LiteLLM's provider_budget_config and max_budget / budget_duration),
// named so every worker counts one total per budget, and how an exhausted one reads in a failedReason.
import type { BudgetLimit, Deployment, RouterSettings } from '../config/types.ts';

/** One budget a call counts towards. `name` is the Redis field of its spend: the same on every worker. */
export interface BudgetRef {
  name: string;
  limit: number;
  /** Length of the period in ms; absent: the budget never resets. */
  periodMs?: number;
  /** For messages: `provider budget "openai" ($100 per 1d)`. */
  label: string;
}

/**
 * LiteLLM's provider name of a deployment: the prefix as written (`groq/llama-3` → `groq`), so
 * `provider_budget_config` keys match LiteLLM's even for providers served by the OpenAI adapter.
 */
export function budgetProvider(d: Pick<Deployment, 'litellmModel' | 'provider'>): string {
  const slash = d.litellmModel.indexOf('/');
  return slash > 0 ? d.litellmModel.slice(0, slash) : d.provider;
}

const refs = new WeakMap<Deployment, BudgetRef[]>();

/** The budgets a call on `d` spends from (empty for most deployments). Computed once per Deployment. */
export function budgetsOf(d: Deployment, router: Pick<RouterSettings, 'providerBudgets'>): BudgetRef[] {
  let list = refs.get(d);
  if (list) return list;
  list = [];
  const provider = budgetProvider(d);
  const byProvider = router.providerBudgets?.[provider];
  if (byProvider) list.push(ref(`provider:${provider}`, `provider budget "${provider}"`, byProvider));
  if (d.budget) list.push(ref(`deployment:${d.id}`, `deployment budget "${d.id}"`, d.budget));
  refs.set(d, list);
  return list;
}

function ref(name: string, what: string, b: BudgetLimit): BudgetRef {
  const per = b.period ? ` per ${b.period.text}` : '';
  return {
    name,
    limit: b.limit,
    ...(b.period ? { periodMs: b.period.ms } : {}),
    label: `${what} ($${b.limit}${per})`,
  };
}

/** The failure message when no deployment has budget left: names the budget and when it resets. */
export function budgetExceededMessage(budget: BudgetRef | undefined, resetAtMs: number): string {
  const what = budget?.label ?? 'budget';
  if (!budget?.periodMs) return `${what} is exhausted; it does not reset`;
  return `${what} is exhausted; it resets at ${new Date(resetAtMs).toISOString()}`;
}
