// Results as JSON and markdown under bench/results/ (latest.json, latest.md), and the console view.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine.ts';
import type { Check, ScenarioResult, Table } from './scenario.ts';

export interface Report {
  machine: MachineInfo;
  /** Free text about the conditions (e.g. other work on the machine). */
  conditions: string;
  totalSeconds: number;
  scenarios: Record<string, ScenarioEntry>;
}

export type ScenarioEntry = ScenarioResult & { description: string; seconds: number; ranAt: string };

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '../results');

export function markdownTable(t: Table): string {
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [row(t.header), row(t.header.map(() => '---')), ...t.rows.map(row)].join('\n');
}

export function checkLine(c: Check): string {
  return `${c.met ? 'MET    ' : 'NOT MET'}  ${c.name}: ${c.value} (target ${c.target})`;
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB; Node ${m.node}; Redis ${m.redis}; load avg ${m.loadAvg1m} at start; ${m.date}`;
}

export function toMarkdown(r: Report): string {
  const out = [
    '# Switchyard benchmarks — latest run',
    '',
    `Machine: ${machineLine(r.machine)}.`,
    '',
    `Conditions: ${r.conditions}`,
    '',
    `Total time: ${r.totalSeconds.toFixed(0)} s.`,
  ];
  const checks = Object.values(r.scenarios).flatMap((s) => s.checks);
  if (checks.length) {
    out.push('', '## Targets', '');
    out.push(
      markdownTable({
        header: ['target', 'measured', 'goal', 'met'],
        rows: checks.map((c) => [c.name, c.value, c.target, c.met ? 'yes' : '**no**']),
      }),
    );
  }
  for (const [name, s] of Object.entries(r.scenarios)) {
    out.push('', `## ${name}`, '', `${s.description} (${s.seconds.toFixed(0)} s, ${s.ranAt})`);
    out.push('', markdownTable(s.table), '', ...s.lines.map((line) => `- ${line}`));
    if (s.notes?.length) out.push('', ...s.notes.map((note) => `- _${note}_`));
    if (s.details) out.push('', s.details);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Writes latest.json and latest.md; returns their paths. A partial run (`pnpm bench overhead`) keeps
 * the other scenarios' previous results, each stamped with when it ran.
 */
export function writeReport(r: Report): string[] {
  mkdirSync(RESULTS, { recursive: true });
  const json = join(RESULTS, 'latest.json');
  const md = join(RESULTS, 'latest.md');
  if (existsSync(json)) {
    const previous = JSON.parse(readFileSync(json, 'utf8')) as Partial<Report>;
    const kept = Object.entries(previous.scenarios ?? {}).filter(([name]) => !(name in r.scenarios));
    r.scenarios = { ...r.scenarios, ...Object.fromEntries(kept) };
  }
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, toMarkdown(r));
  return [json, md];
}
