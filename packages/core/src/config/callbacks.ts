// LiteLLM's callback lists (`success_callback`, `failure_callback`, `callbacks`): which entries Switchyard
// runs, and one start-up warning for each entry it cannot run. Entries it runs: `prometheus` (metrics), `otel`
// (OpenTelemetry spans),
// `generic_api` (LiteLLM's webhook: GENERIC_LOGGER_ENDPOINT, GENERIC_LOGGER_HEADERS), an http(s) URL (a
// webhook), and a module path (a CustomLogger-like module with logSuccessEvent / logFailureEvent).
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ConfigIssue } from './config-error.ts';
import type { Env } from './env.ts';
import { childPath } from './path.ts';
import type { CallbackSettings, CallbackSink } from './types.ts';

export type CallbackKey = 'success_callback' | 'failure_callback' | 'callbacks';
export const CALLBACK_KEYS: readonly CallbackKey[] = ['success_callback', 'failure_callback', 'callbacks'];

type Target =
  | { kind: 'prometheus' }
  | { kind: 'otel' }
  | { kind: 'webhook'; name: string; url: string; headers: Record<string, string> }
  | { kind: 'module'; name: string; path: string };

const MODULE_PATH = /^(\.{1,2}[/\\]|\/)|\.(m?js|cjs|m?ts)$/;

interface Context {
  env: Env;
  baseDir: string;
  issues: ConfigIssue[];
  warnings: string[];
}

/** What one entry means, or undefined (with a warning or an issue) when Switchyard cannot run it. */
function target(entry: string, path: string, ctx: Context): Target | undefined {
  if (entry === 'prometheus') return { kind: 'prometheus' };
  if (entry === 'otel') return { kind: 'otel' };
  if (entry === 'generic_api') {
    const url = ctx.env.GENERIC_LOGGER_ENDPOINT;
    if (!url) {
      ctx.issues.push({
        path,
        message: 'generic_api needs GENERIC_LOGGER_ENDPOINT (the URL events are POSTed to)',
      });
      return undefined;
    }
    return {
      kind: 'webhook',
      name: 'generic_api',
      url,
      headers: parseHeaderList(ctx.env.GENERIC_LOGGER_HEADERS),
    };
  }
  if (/^https?:\/\//i.test(entry)) {
    try {
      // The host names the sink in metrics and logs; the URL itself may carry a token.
      return { kind: 'webhook', name: `webhook:${new URL(entry).host}`, url: entry, headers: {} };
    } catch {
      ctx.issues.push({ path, message: 'not a valid URL' });
      return undefined;
    }
  }
  if (MODULE_PATH.test(entry)) {
    const file = resolve(ctx.baseDir, entry);
    if (!existsSync(file)) {
      ctx.issues.push({ path, message: `module not found: ${file}` });
      return undefined;
    }
    return { kind: 'module', name: basename(file), path: file };
  }
  // Services that need their own SDK (langfuse, sentry, datadog…) are named, never silently dropped.
  ctx.warnings.push(`${path}: callback "${entry}" is not supported, ignored`);
  return undefined;
}

/** Every section's entries; `callbacks` entries receive success and failure events alike. */
export function readCallbacks(
  sections: readonly { name: string; data: Partial<Record<CallbackKey, string[]>> }[],
  ctx: Context,
): CallbackSettings {
  const out: CallbackSettings = { prometheus: false, otel: false, sinks: [] };
  for (const { name, data } of sections) {
    for (const key of CALLBACK_KEYS) {
      (data[key] ?? []).forEach((entry, index) => {
        const found = target(entry, childPath(childPath(name, key), index), ctx);
        if (!found) return;
        if (found.kind === 'prometheus' || found.kind === 'otel') {
          out[found.kind] = true;
          return;
        }
        const where = found.kind === 'module' ? found.path : found.url;
        let sink = out.sinks.find((s) => (s.kind === 'module' ? s.path : s.url) === where);
        if (!sink) {
          sink = { ...found, success: false, failure: false } as CallbackSink;
          out.sinks.push(sink);
        }
        if (key !== 'failure_callback') sink.success = true;
        if (key !== 'success_callback') sink.failure = true;
      });
    }
  }
  return out;
}

/** Prometheus metrics are on: LiteLLM's switch (`prometheus` in a callback list) or Switchyard's own. */
export function metricsEnabled(config: {
  callbacks: CallbackSettings;
  switchyard: { metrics: boolean };
}): boolean {
  return config.switchyard.metrics || config.callbacks.prometheus;
}

/** LiteLLM's GENERIC_LOGGER_HEADERS: `name=value,name2=value2`. */
export function parseHeaderList(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return headers;
}
