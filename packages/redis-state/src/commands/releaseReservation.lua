--[[
  Give back reservations that were never used (shutdown before the call, a lease's spare units): their
  leases and window entries, so neither in-flight slots nor rpm/tpm shares are wasted. Reservations
  come grouped by deployment, so each deployment costs a handful of commands however many it returns.

  Input (n deployments, i = 0 .. n-1; KEYS of one group):
    KEYS[4i+1] window zset   KEYS[4i+2] tokens hash   KEYS[4i+3] leases zset   KEYS[4i+4] state hash
    ARGV       per deployment: count c, then c reservationIds

  Output:
    per deployment, the larger of the in-flight leases and window entries removed, summed: 1 for a single
    reservation that was still held, 0 for one already expired, recorded or released
]]
local released = 0
local a = 1
for i = 0, #KEYS / 4 - 1 do
  local winKey, tokKey, leaseKey, stKey = KEYS[4 * i + 1], KEYS[4 * i + 2], KEYS[4 * i + 3], KEYS[4 * i + 4]
  local count = tonumber(ARGV[a])
  local ids = {}
  for j = 1, count do ids[j] = ARGV[a + j] end
  a = a + count + 1
  -- Which ones are still in the window, with their tokens, before anything is removed.
  local scores = redis.call('ZMSCORE', winKey, unpack(ids))
  local tokens = redis.call('HMGET', tokKey, unpack(ids))
  local leased = redis.call('ZREM', leaseKey, unpack(ids))
  local inWindow = redis.call('ZREM', winKey, unpack(ids))
  local freedTokens = 0
  for j = 1, count do
    if scores[j] then freedTokens = freedTokens + (tonumber(tokens[j]) or 0) end
  end
  if inWindow > 0 then redis.call('HDEL', tokKey, unpack(ids)) end
  -- The state hash outlives the window; never recreate it without its expiry.
  if freedTokens ~= 0 and redis.call('EXISTS', stKey) == 1 then
    redis.call('HINCRBY', stKey, 'tpm', -freedTokens)
  end
  released = released + math.max(leased, inWindow)
end
return released
