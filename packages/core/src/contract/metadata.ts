// Job `metadata` keys that Switchyard itself reads, beside the producer's own (LiteLLM proxy's names). All
// optional: a plain `queue.add` without them routes and records as before.

/** The caller's API key hash, for usage per key; the gateway sets it (never the key itself). */
export const KEY_HASH_METADATA = 'user_api_key_hash';

/**
 * The caller's User-Agent, which deployments' `tag_regex` patterns are matched against (as
 * `User-Agent: <value>`); the gateway sets it from the HTTP header, any other producer may.
 */
export const USER_AGENT_METADATA = 'user_agent';

/**
 * Characters of a User-Agent that `tag_regex` patterns see; the rest is cut off. The header is the caller's,
 * the patterns the operator's: this bounds what a polynomial pattern (`.*a.*b`) can cost per job (nested
 * repeats, the exponential kind, are refused at load). Real ones are shorter: a browser's is ~150
 * characters, a CLI's or an SDK's ~30, and routing patterns look at their start.
 */
export const MAX_USER_AGENT_CHARS = 256;
