// Converse and generateContent want user and model turns to alternate, so consecutive messages of one role
// (a run of tool results, say) must share one turn; both adapters build their turns through this.
import type { Obj } from './chat-parts.ts';

export interface Turn {
  role: string;
  items: Obj[];
}

/** Appends `items` to the last turn when it has `role`, else as a new turn; no items, no turn. */
export function appendTurn(turns: Turn[], role: string, items: Obj[]): void {
  if (items.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.items.push(...items);
  else turns.push({ role, items });
}
