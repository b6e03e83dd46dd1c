-- One clock for every worker: Redis TIME in integer milliseconds.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Latency stats and cooldowns outlive the rate window (LiteLLM's latency ttl is one hour).
local function stateTtlMs(windowMs)
  return math.max(3600000, 2 * windowMs)
end
