// Several fakes at once, e.g. one per deployment of a model group.
import { startFakeProvider } from './server.ts';
import type { FakeProvider, FakeProviderOptions } from './types.ts';

export interface FakeProviderPool {
  providers: FakeProvider[];
  urls: string[];
  close(): Promise<void>;
}

export async function startFakeProviderPool(spec: number | FakeProviderOptions[]): Promise<FakeProviderPool> {
  const all = typeof spec === 'number' ? Array.from({ length: spec }, () => ({})) : spec;
  const providers = await Promise.all(all.map((o) => startFakeProvider(o)));
  return {
    providers,
    urls: providers.map((p) => p.url),
    close: async () => {
      await Promise.all(providers.map((p) => p.close()));
    },
  };
}
