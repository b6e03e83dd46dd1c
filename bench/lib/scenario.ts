// What a scenario is and what it hands back: printed lines, one markdown table, raw data, target checks.
export interface Check {
  name: string;
  value: number;
  /** Human form of the target, e.g. "≥ 0.7". */
  target: string;
  met: boolean;
}

export interface Table {
  header: string[];
  rows: (string | number)[][];
}

export interface ScenarioResult {
  /** Lines printed as the scenario finishes (ratios, headline numbers). */
  lines: string[];
  table: Table;
  checks: Check[];
  /** Everything measured, for latest.json. */
  data: Record<string, unknown>;
  notes?: string[];
  /** Markdown shown after the table in latest.md (and printed). */
  details?: string;
}

export interface Scenario {
  name: string;
  /** One sentence: what it measures and against what. */
  description: string;
  run(): Promise<ScenarioResult>;
}

export function check(name: string, value: number, op: '<=' | '>=', limit: number): Check {
  return {
    name,
    value,
    target: `${op === '<=' ? '≤' : '≥'} ${limit}`,
    met: op === '<=' ? value <= limit : value >= limit,
  };
}

/** Two decimals for ratios, none for big numbers: tables stay readable. */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}
