// One fake provider and one Providers instance per test file, reset before each test and closed after the file.
import { type FakeProvider, type FakeProviderOptions, startFakeProvider } from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createProviders, type Providers, type ProvidersOptions } from '../src/index.ts';

export interface ProviderFixture {
  fake: FakeProvider;
  providers: Providers;
}

/** Registers the file's hooks; the fixture's fields are set once `beforeAll` has run. */
export function useFakeProvider(
  opts: { fake?: FakeProviderOptions; providers?: ProvidersOptions } = {},
): ProviderFixture {
  const f = {} as ProviderFixture;
  beforeAll(async () => {
    f.fake = await startFakeProvider(opts.fake);
    f.providers = createProviders(opts.providers);
  });
  afterAll(async () => {
    await f.providers?.close();
    await f.fake?.close();
  });
  beforeEach(() => f.fake.reset());
  return f;
}
