// The plain Reply: the returnvalue is the whole answer, nothing else to write.
import type { RoutedResult } from '@switchyard/core';
import type { PipelineDeps, Reply } from './context.ts';

export function plainReply(deps: PipelineDeps): Reply {
  return {
    invoke: deps.call,
    committed: false,
    answered: async (result: RoutedResult) => result,
    failed: async () => {},
  };
}
