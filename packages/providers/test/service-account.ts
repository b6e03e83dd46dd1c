// A throwaway Google service account: requests are signed with its own JWT, no token endpoint involved.
import { generateKeyPairSync } from 'node:crypto';

export function fakeServiceAccount(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    type: 'service_account',
    project_id: 'test-project',
    private_key_id: 'key1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'router@test-project.iam.gserviceaccount.com',
    client_id: '1',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
}

/** The claims of a bearer JWT (not verified: the fake only needs to see who signed it). */
export function jwtClaims(authorization: string | undefined): Record<string, unknown> {
  const token = (authorization ?? '').replace(/^Bearer\s+/i, '');
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
