// Reads Prometheus text exposition into samples and HELP lines, for asserting on scraped series.
import { expect } from 'vitest';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  help: Map<string, string>;
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Scrape {
  const scrape: Scrape = { samples: [], help: new Map(), types: new Map() };
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      scrape.help.set(name!, rest.join(' '));
    } else if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      scrape.types.set(name!, type!);
    } else if (line && !line.startsWith('#')) {
      const m = SAMPLE.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = v!;
      scrape.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
    }
  }
  return scrape;
}

/** GET a /metrics URL: a 200 in the text format, parsed. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(await res.text());
}

/** Sum of the samples of `name` whose labels include `match` (PromQL's `sum(name{match})`). */
export function sum(scrapes: readonly Scrape[], name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const s of scrapes)
    for (const sample of s.samples)
      if (sample.name === name && Object.entries(match).every(([k, v]) => sample.labels[k] === v))
        total += sample.value;
  return total;
}

/** Series names present in the scrapes (histograms as their _bucket/_sum/_count series). */
export function seriesNames(scrapes: readonly Scrape[]): Set<string> {
  return new Set(scrapes.flatMap((s) => s.samples.map((x) => x.name)));
}
