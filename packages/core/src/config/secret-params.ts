// Which litellm_params hold credentials: never forwarded as body params, never hashed into ids.
const SECRET_NAME = /(^|_)(key|secret|password|credentials?|(access|session|auth|ad|api|refresh)_token)$/i;

export function isSecretParam(name: string): boolean {
  return SECRET_NAME.test(name) || /secret|password|credential/i.test(name);
}
