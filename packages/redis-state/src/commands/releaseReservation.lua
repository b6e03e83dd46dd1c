--[[
  Give back a reservation that was never used (e.g. shutdown before the call): its lease and its
  window entry, so neither the in-flight slot nor the rpm/tpm share is wasted.

  Input:
    KEYS[1] window zset   KEYS[2] tokens hash   KEYS[3] leases zset   KEYS[4] state hash
    ARGV[1] reservationId

  Output:
    1 when something was released, 0 when the reservation was unknown (already expired or released)
]]
local winKey, tokKey, leaseKey, stKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local reservationId = ARGV[1]

local released = redis.call('ZREM', leaseKey, reservationId)
if redis.call('ZREM', winKey, reservationId) == 1 then
  released = 1
  local tokens = tonumber(redis.call('HGET', tokKey, reservationId)) or 0
  redis.call('HDEL', tokKey, reservationId)
  -- The state hash outlives the window; never recreate it without its expiry.
  if tokens ~= 0 and redis.call('EXISTS', stKey) == 1 then redis.call('HINCRBY', stKey, 'tpm', -tokens) end
end
return released
