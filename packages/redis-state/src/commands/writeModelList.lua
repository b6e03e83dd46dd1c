--[[
  Replaces the model list document if its version is still the one the writer read (optimistic
  concurrency), bumps the version and wakes every subscriber.
    KEYS[1] hash: version, doc (JSON list of entries), seed (hash of the config file that seeded it)
    ARGV[1] expected version (0 when absent)  ARGV[2] doc  ARGV[3] seed ('' keeps it)  ARGV[4] channel
  Returns {1, new version} or {0, current version} when another writer got there first.
]]
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
local version = current + 1
redis.call('HSET', KEYS[1], 'version', version, 'doc', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'seed', ARGV[3])
end
redis.call('PUBLISH', ARGV[4], version)
return {1, version}
