// Which litellm_params hold credentials: never forwarded as body params, never hashed into ids.
const SECRET_NAME = /(^|_)(key|secret|password|credentials?|(access|session|auth|ad|api|refresh)_token)$/i;

export function isSecretParam(name: string): boolean {
  // The name of a credential_list entry is a reference, like os.environ/NAME: stored and shown as written.
  if (name === 'litellm_credential_name') return false;
  return SECRET_NAME.test(name) || /secret|password|credential/i.test(name);
}
