// Vertex AI auth end to end against the fake: the request is signed by the configured service account, from
// JSON text or a file, and Google's own SDK accepts the fake's Vertex flavour.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { SwitchyardError } from '@switchyard/core';
import { JWT } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { deployment, request } from './deployment.ts';
import { useFakeProvider } from './fixture.ts';
import { fakeServiceAccount, jwtClaims } from './service-account.ts';

const account = fakeServiceAccount();

const f = useFakeProvider({ providers: { defaultTimeoutMs: 5_000 } });

function vertexDeployment(credentials: string) {
  return deployment('vertex_ai', f.fake.url, {
    model: 'gemini-2.5-pro',
    apiKey: undefined,
    vertex: { project: 'acme-prod', location: 'us-east5', credentials },
  });
}

describe('vertex_ai adapter', () => {
  it('calls the project/location path with a bearer JWT signed by the service account', async () => {
    const res = await f.providers.call(request(vertexDeployment(JSON.stringify(account))));
    expect((res.body.choices as { message: { content: string } }[])[0]?.message.content).toBe('echo: hello');
    const sent = f.fake.requests.at(-1)!;
    expect(sent.path).toBe(
      '/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent',
    );
    expect(sent.route?.provider).toBe('vertex_ai');
    expect(sent.headers.authorization).toMatch(/^\*\*\*/); // present (the fake's log redacts it)
  });

  it('the token names the service account and Google’s scope, and is reused across calls', async () => {
    // The fake's log redacts credentials, so a bare server records the header as sent.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const dep = { ...vertexDeployment(JSON.stringify(account)), apiBase: `http://127.0.0.1:${port}` };
      await f.providers.call(request(dep));
      await f.providers.call(request(dep));
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    const claims = jwtClaims(seen[0]);
    expect(claims).toMatchObject({ iss: account.client_email, sub: account.client_email });
    expect(String(claims.scope)).toContain('cloud-platform');
  });

  it('reads vertex_credentials from a file path, as LiteLLM allows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-vertex-'));
    const file = join(dir, 'sa.json');
    writeFileSync(file, JSON.stringify(account));
    await f.providers.call(request(vertexDeployment(file)));
    expect(f.fake.requests.at(-1)?.path).toMatch(/^\/v1\/projects\/acme-prod\//);
  });

  it('unusable credentials fail the attempt as AuthenticationError without quoting them, and never call out', async () => {
    const broken = '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----SECRETSTUFF';
    const err = await f.providers.call(request(vertexDeployment(broken))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchyardError);
    expect((err as SwitchyardError).type).toBe('AuthenticationError');
    expect((err as SwitchyardError).message).toContain('vertex_credentials is not valid JSON');
    expect((err as SwitchyardError).message).not.toContain('SECRETSTUFF');
    expect(f.fake.requests).toHaveLength(0);
  });
});

describe('@google/genai (Vertex AI mode) against the fake', () => {
  it('generateContent on the project/location path with a service-account token', async () => {
    const jwt = new JWT({
      email: account.client_email,
      key: account.private_key,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    jwt.useJWTAccessWithScope = true;
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'test-project',
      location: 'europe-west4',
      httpOptions: { baseUrl: f.fake.url },
      // The SDK bundles its own google-auth-library copy; the client it needs is the same JWT class.
      googleAuthOptions: { authClient: jwt as never },
    });
    const res = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hello vertex' });
    expect(res.text).toBe('echo: hello vertex');
    const sent = f.fake.requests.at(-1)!;
    expect(sent.path).toMatch(
      /^\/v1(beta1)?\/projects\/test-project\/locations\/europe-west4\/publishers\/google\/models\/gemini-2.5-pro:generateContent$/,
    );
    expect(sent.route?.provider).toBe('vertex_ai');
  });
});
