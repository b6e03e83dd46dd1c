// OpenAI's `GET /v1/models` and `GET /v1/models/{id}`: the fleet's model groups (the live list in Redis when
// one is stored, else the config file's) and the aliases of `model_group_alias` not marked `hidden`.
import type { ServerResponse } from 'node:http';
import type { SwitchyardClient } from '@switchyard/client';
import type { SwitchyardConfig } from '@switchyard/core';
import { gatewayError } from './openai-error.ts';
import { sendError, sendJson } from './reply.ts';

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** A fixed `created` (LiteLLM's proxy answers one too): groups have no creation time worth inventing. */
const CREATED = 1677610602;

/** Group name → who serves it (the provider prefix of its first deployment, `openai` for bare names). */
async function groupOwners(
  client: SwitchyardClient,
  config: SwitchyardConfig | undefined,
): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  const live = await client.getDeployments();
  if (live.version > 0) {
    for (const entry of live.entries) {
      const model = String(entry.litellm_params.model ?? '');
      if (!owners.has(entry.model_name))
        owners.set(entry.model_name, model.includes('/') ? model.split('/')[0]! : 'openai');
    }
    return owners;
  }
  for (const d of config?.deployments ?? [])
    if (!owners.has(d.modelGroup)) owners.set(d.modelGroup, d.provider);
  return owners;
}

export async function listModels(
  client: SwitchyardClient,
  config: SwitchyardConfig | undefined,
): Promise<OpenAIModel[]> {
  const owners = await groupOwners(client, config);
  const models = [...owners].map(([id, owner]) => model(id, owner));
  const hidden = new Set(config?.router.hiddenAliases ?? []);
  for (const [alias, group] of Object.entries(config?.router.modelGroupAlias ?? {})) {
    const owner = owners.get(group);
    // An alias to a group no longer in the list answers nothing, so it is not offered either.
    if (!hidden.has(alias) && owner !== undefined && !owners.has(alias)) models.push(model(alias, owner));
  }
  return models;
}

function model(id: string, owner: string): OpenAIModel {
  return { id, object: 'model', created: CREATED, owned_by: owner };
}

export async function serveModels(
  client: SwitchyardClient,
  config: SwitchyardConfig | undefined,
  id: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const models = await listModels(client, config);
  if (id === undefined) {
    sendJson(res, 200, { object: 'list', data: models });
    return;
  }
  const found = models.find((m) => m.id === id);
  if (found) sendJson(res, 200, found);
  else
    sendError(
      res,
      gatewayError(
        404,
        `The model '${id}' does not exist`,
        'invalid_request_error',
        'model_not_found',
        'model',
      ),
    );
}
