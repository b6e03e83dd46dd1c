// A routing target is a group, an alias, a deployment id, a wildcard group (`openai/*`), or with
// specific_deployment one deployment by its litellm_params.model — LiteLLM accepts all of them (core decides).
import {
  createRouteResolver,
  type Deployment,
  type RouteTarget,
  type SwitchyardConfig,
} from '@switchyard/core';

export type { RouteTarget };

export type TargetResolver = (name: string, specificDeployment?: boolean) => RouteTarget | undefined;

export function createTargetResolver(
  config: SwitchyardConfig,
  groups: ReadonlyMap<string, readonly Deployment[]>,
): TargetResolver {
  return createRouteResolver(config, groups);
}
