import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { ModelListStore } from '../src/index.ts';
import { useRedis } from './fixture.ts';

const f = useRedis();

const entry = (id: string, key = 'os.environ/SOME_KEY') => ({
  model_name: 'g',
  litellm_params: { model: `openai/${id}`, api_base: 'http://127.0.0.1:9/v1', api_key: key },
  model_info: { id },
});

function fileConfig(ids: string[], storeModelInDb = false) {
  return loadConfig(
    {
      model_list: ids.map((id) => entry(id, 'sk-literal-in-file')),
      switchyard_settings: { store_model_in_db: storeModelInDb },
    },
    { env: {} },
  );
}

const ids = async (store: ModelListStore) => (await store.list())?.entries.map((e) => e.model_info.id);

describe('ModelListStore', () => {
  it('without store_model_in_db a restart with the same file keeps runtime changes; an edited file replaces them', async () => {
    const store = new ModelListStore(f.client, `t:${randomUUID()}`);
    expect(await store.seed(fileConfig(['a']))).toBe('seeded');
    await store.change({ op: 'add', entry: entry('b') }, {});
    expect(await store.seed(fileConfig(['a']))).toBe('kept');
    expect(await ids(store)).toEqual(['a', 'b']);
    expect(await store.seed(fileConfig(['a', 'c']))).toBe('seeded');
    expect(await ids(store)).toEqual(['a', 'c']);
  });

  it('with store_model_in_db the file only seeds an empty store', async () => {
    const store = new ModelListStore(f.client, `t:${randomUUID()}`);
    expect(await store.seed(fileConfig(['a'], true))).toBe('seeded');
    await store.change({ op: 'delete', id: 'a' }, {});
    expect(await store.seed(fileConfig(['a', 'c'], true))).toBe('kept');
    expect(await ids(store)).toEqual([]);
  });

  it('a literal key in the file never reaches Redis (it stays in the file); a runtime raw key is encrypted', async () => {
    const store = new ModelListStore(f.client, `t:${randomUUID()}`);
    await store.seed(fileConfig(['a']));
    await store.change({ op: 'add', entry: entry('s', 'sk-runtime-raw') }, { saltKey: 'salt' });
    const raw = JSON.stringify(await f.client.hgetall(store.keys.doc));
    expect(raw).not.toContain('sk-literal-in-file');
    expect(raw).not.toContain('sk-runtime-raw');
    expect(raw).toContain('sy-sealed:v1:');
    expect(JSON.stringify(await store.list())).not.toContain('sy-sealed');
  });

  it('every change bumps the version by one; a refused change leaves list and version alone', async () => {
    const store = new ModelListStore(f.client, `t:${randomUUID()}`);
    await store.seed(fileConfig(['a']));
    const v1 = await store.version();
    await Promise.all(['x', 'y', 'z'].map((id) => store.change({ op: 'add', entry: entry(id) }, {})));
    expect(await store.version()).toBe(v1 + 3);
    expect(new Set(await ids(store))).toEqual(new Set(['a', 'x', 'y', 'z']));
    const refused = store.change({ op: 'update', entry: { model_info: { id: 'nope' } } }, {});
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(store.change({ op: 'add', entry: entry('a') }, {})).rejects.toThrow(
      /model_info\.id: .*exists/,
    );
    await expect(
      store.change({ op: 'replace', entries: [entry('q'), { model_name: 'g' }] }, {}),
    ).rejects.toThrow(/model_list\[1\]\.litellm_params/);
    expect(await store.version()).toBe(v1 + 3);
  });
});
