--[[
  Current routing state of deployments (what strategies rank on and the CLI shows), after
  dropping expired window entries and leases.

  Input:
    KEYS[4i-3 .. 4i] deployment i (1-based): window zset, tokens hash, leases zset, state hash
    ARGV[1]          windowMs

  Output:
    per deployment, 7 entries: inflight, rpmUsed, tpmUsed, latencyMs ('' = none),
    latencyAtMs ('' = none), cooldownUntilMs (0 = not cooling), fails in the current window
]]
--- @include "includes/nowMs"
--- @include "includes/expireWindow"

local now = nowMs()
local windowMs = tonumber(ARGV[1])
local reply = {}

for i = 1, #KEYS / 4 do
  local winKey, tokKey, leaseKey, stKey = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
  local count, total = expireWindow(winKey, tokKey, stKey, now, windowMs)
  local inflight = liveLeases(leaseKey, now)
  local state = redis.call('HMGET', stKey, 'lat', 'lat_at', 'cooldown_until', 'fails', 'fails_since')
  local cooldownUntil = tonumber(state[3]) or 0
  if cooldownUntil <= now then cooldownUntil = 0 end
  local since = tonumber(state[5])
  local fails = 0
  if since and now - since < windowMs then fails = tonumber(state[4]) or 0 end
  -- Latency is fractional: returned as a string, since Lua numbers become integers in replies.
  reply[#reply + 1] = inflight
  reply[#reply + 1] = count
  reply[#reply + 1] = total
  reply[#reply + 1] = state[1] or ''
  reply[#reply + 1] = state[2] or ''
  reply[#reply + 1] = cooldownUntil
  reply[#reply + 1] = fails
end
return reply
