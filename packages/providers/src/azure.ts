// Azure OpenAI: the deployment name is in the path, the API version in the query, the key in `api-key`.
import type { ProviderAdapter } from './adapter.ts';
import type { AdapterEnv } from './exchange.ts';
import { createOpenAICompatibleAdapter, ENDPOINT_PATH, type OpenAIDialect } from './openai-compatible.ts';

/** Used when the config gives no `api_version` (a GA version that serves all three endpoints). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export const azureDialect: OpenAIDialect = {
  kind: 'azure',
  url: (d, endpoint) => {
    // Users paste the resource URL with or without `/openai`; both mean the same base.
    const base = d.apiBase.replace(/\/+$/, '').replace(/\/openai$/, '');
    const version = encodeURIComponent(d.apiVersion ?? DEFAULT_AZURE_API_VERSION);
    return `${base}/openai/deployments/${encodeURIComponent(d.model)}${ENDPOINT_PATH[endpoint]}?api-version=${version}`;
  },
  authHeaders: (d): Record<string, string> => (d.apiKey ? { 'api-key': d.apiKey } : {}),
};

export function createAzureAdapter(env: AdapterEnv): ProviderAdapter {
  return createOpenAICompatibleAdapter(azureDialect, env);
}
