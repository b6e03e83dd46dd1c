// SigV4 for Bedrock with the AWS SDK's own signer: static keys from the config, else the AWS default credential
// chain (environment, shared config/SSO, web identity, ECS/EC2 metadata), resolved and refreshed by the SDK.
import type { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsSettings } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { scrub } from './scrub.ts';

const signers = new Map<string, SignatureV4>();
/** One default chain per process and profile: it caches and refreshes what it finds (instance roles, SSO, …). */
const chains = new Map<string, ReturnType<typeof defaultProvider>>();

interface AwsModules {
  SignatureV4: typeof SignatureV4;
  Sha256: typeof import('@aws-crypto/sha256-js').Sha256;
  defaultProvider: typeof defaultProvider;
}
let modules: Promise<AwsModules> | undefined;

/** Loaded on the first Bedrock call: workers without Bedrock deployments never pay for the AWS SDK at start. */
function awsModules(): Promise<AwsModules> {
  if (modules === undefined) {
    modules = Promise.all([
      import('@smithy/signature-v4'),
      import('@aws-crypto/sha256-js'),
      import('@aws-sdk/credential-provider-node'),
    ]).then(([sig, sha, creds]) => ({
      SignatureV4: sig.SignatureV4,
      Sha256: sha.Sha256,
      defaultProvider: creds.defaultProvider,
    }));
  }
  return modules;
}

/** With a profile the chain reads that profile (keys, SSO, role_arn, credential_process) and skips env keys. */
function sharedChain(m: AwsModules, profile: string | undefined): ReturnType<typeof defaultProvider> {
  let chain = chains.get(profile ?? '');
  if (chain === undefined) {
    chain = m.defaultProvider(profile === undefined ? {} : { profile });
    chains.set(profile ?? '', chain);
  }
  return chain;
}

type AwsCredentialIdentityProvider = ReturnType<typeof defaultProvider>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;
type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/**
 * The role's temporary credentials, from STS with the source credentials, reused until five minutes before they
 * expire (the SDK's provider calls STS on every use). Loaded on first use: most Bedrock setups assume no role.
 */
function assumedRole(
  region: string,
  role: NonNullable<AwsSettings['role']>,
  source: Credentials,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  const fetchCredentials = async () => {
    const { fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
    return fromTemporaryCredentials({
      params: { RoleArn: role.arn, RoleSessionName: role.sessionName },
      masterCredentials: source,
      clientConfig: { region, ...(role.stsEndpoint === undefined ? {} : { endpoint: role.stsEndpoint }) },
    })();
  };
  let expiresAt = 0;
  return () => {
    if (current === undefined || Date.now() > expiresAt - 300_000) {
      expiresAt = Number.POSITIVE_INFINITY; // concurrent signers share the call in flight
      const asked: Promise<AwsCredentialIdentity> = fetchCredentials().then(
        (c) => {
          expiresAt = c.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
          return c;
        },
        (err: unknown) => {
          if (current === asked) current = undefined; // the next signature asks again
          throw err;
        },
      );
      current = asked;
    }
    return current;
  };
}

function signerFor(m: AwsModules, aws: AwsSettings): SignatureV4 {
  const key = [
    aws.region,
    aws.accessKeyId,
    aws.secretAccessKey,
    aws.sessionToken,
    aws.profile,
    aws.role?.arn,
    aws.role?.sessionName,
    aws.role?.stsEndpoint,
  ].join('\u0000');
  let signer = signers.get(key);
  if (!signer) {
    const source =
      aws.accessKeyId !== undefined && aws.secretAccessKey !== undefined
        ? {
            accessKeyId: aws.accessKeyId,
            secretAccessKey: aws.secretAccessKey,
            ...(aws.sessionToken === undefined ? {} : { sessionToken: aws.sessionToken }),
          }
        : sharedChain(m, aws.profile);
    const credentials = aws.role ? assumedRole(aws.region, aws.role, source) : source;
    signer = new m.SignatureV4({ service: 'bedrock', region: aws.region, credentials, sha256: m.Sha256 });
    signers.set(key, signer);
  }
  return signer;
}

/** The SigV4 headers (authorization, x-amz-date, x-amz-security-token) for exactly this request. */
export async function sigV4Headers(
  aws: AwsSettings,
  url: URL,
  headers: Record<string, string>,
  body: string,
  deploymentId: string,
): Promise<Record<string, string>> {
  try {
    const signed = await signerFor(await awsModules(), aws).sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers))
      if (k.toLowerCase() !== 'host') out[k.toLowerCase()] = String(v);
    return out;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SwitchyardError(
      'AuthenticationError',
      scrub(`bedrock: could not sign the request with AWS credentials: ${why}`, [
        aws.secretAccessKey,
        aws.sessionToken,
      ]).slice(0, 500),
      { provider: 'bedrock', deploymentId },
    );
  }
}
