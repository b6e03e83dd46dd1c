--[[
  Record calls' outcomes in one call: for each, release its in-flight lease, restamp its window entry to
  now, replace the token estimate by real usage, add a latency sample, and apply a failure's cooldown
  effect. One outcome per call on the failure path (its cooldown decides what happens next); successes
  are batched by the worker, since nobody waits for their bookkeeping. Outcomes come grouped by
  deployment, so a deployment's keys are read and written once per call however many outcomes it has.

  Input (d deployments, i = 0 .. d-1):
    KEYS[5i+1] window zset     KEYS[5i+2] tokens hash     KEYS[5i+3] leases zset
    KEYS[5i+4] state hash      KEYS[5i+5] latency samples list
    ARGV[1]    windowMs
    then per deployment: n, then n outcomes of 11 fields each:
      reservationId
      totalTokens ('' = keep the estimate)
      latencySample ('' = none)
      failure: '1' when the call failed, '' otherwise
      coolNow ('1'/'0')    countFail ('1'/'0')
      allowedFails         cooldownMs (<= 0 disables cooldown)
      callMs: the call's wall time ('' = none), averaged into `call_ms`
      failure-rate threshold ('' = cool by the allowed-fails count instead)
      failure-rate minimum requests in the window

  Output:
    per outcome, in input order, two entries: cooldown_until in epoch ms (0 when not cooling down), then 1
    when this outcome started that cooldown (the deployment was not cooling before it) and 0 otherwise
]]
--- @include "includes/nowMs"

local now = nowMs()
local windowMs = tonumber(ARGV[1])
local MAX_SAMPLES = 10 -- LiteLLM's max_latency_list_size
local FIELDS = 11

-- One deployment's outcomes: ARGV[a + 1 + FIELDS * (j - 1) + f] is field f (1-based) of outcome j.
local function recordDeployment(k, a, n, replies)
  local winKey, tokKey, leaseKey, stKey, latKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local function field(j, f) return ARGV[a + FIELDS * (j - 1) + f] end
  local ids = {}
  for j = 1, n do ids[j] = field(j, 1) end

  redis.call('ZREM', leaseKey, unpack(ids))

  -- The provider counts a request when it arrives, some ms after its reservation and not in the order
  -- reserved (a worker's burst, a new socket): stamped at reserve time, a slot could be reused just before
  -- the provider's own window frees it, and the provider answers 429. The call has surely arrived by now,
  -- so the request counts until a full window after this moment (never earlier than its reservation).
  local stamps = {}
  for j = 1, n do stamps[2 * j - 1], stamps[2 * j] = now, ids[j] end
  if redis.call('ZADD', winKey, 'XX', 'GT', 'CH', unpack(stamps)) > 0 then
    redis.call('PEXPIRE', winKey, windowMs + 1000)
    redis.call('PEXPIRE', tokKey, windowMs + 1000)
  end

  -- Real usage replaces estimates; a reservation that already left the window has nothing to correct.
  local estimates = redis.call('HMGET', tokKey, unpack(ids))
  local corrected, drift, seen = {}, 0, {}
  for j = 1, n do
    local real = tonumber(field(j, 2))
    -- A re-sent outcome in the same batch corrects its reservation once.
    if real and estimates[j] and not seen[ids[j]] then
      seen[ids[j]] = true
      corrected[#corrected + 1], corrected[#corrected + 2] = ids[j], real
      drift = drift + real - tonumber(estimates[j])
    end
  end
  if #corrected > 0 then
    redis.call('HSET', tokKey, unpack(corrected))
    if drift ~= 0 then redis.call('HINCRBY', stKey, 'tpm', drift) end
  end

  local samples = {}
  for j = 1, n do
    local sample = tonumber(field(j, 3))
    if sample then samples[#samples + 1] = sample end
  end
  if #samples > 0 then
    redis.call('LPUSH', latKey, unpack(samples))
    redis.call('LTRIM', latKey, 0, MAX_SAMPLES - 1)
    local kept = redis.call('LRANGE', latKey, 0, -1)
    local sum = 0
    for _, s in ipairs(kept) do sum = sum + tonumber(s) end
    redis.call('HSET', stKey, 'lat', sum / #kept, 'lat_at', now)
    redis.call('PEXPIRE', latKey, stateTtlMs(windowMs))
  end

  -- The state hash's counters, applied outcome by outcome in order.
  local state = redis.call('HMGET', stKey, 'call_ms', 'cooldown_until', 'fails', 'succ', 'fails_since')
  local callAvg, cooldownUntil = tonumber(state[1]), tonumber(state[2]) or 0
  local fails, succ, since = tonumber(state[3]) or 0, tonumber(state[4]) or 0, tonumber(state[5])
  local cooldownChanged = false
  for j = 1, n do
    -- How long a whole call takes (an EWMA): when the next in-flight slot frees (the latency sample above
    -- may be per output token, which says nothing about when a slot frees).
    local callMs = tonumber(field(j, 9))
    if callMs then callAvg = callAvg and callAvg * 0.8 + callMs * 0.2 or callMs end

    -- Outcomes count per window ("minute") that starts with the first one: failures for allowed_fails,
    -- failures and successes for the failure-rate rule.
    if not since or now - since >= windowMs then fails, succ, since = 0, 0, now end
    local failed = field(j, 4) == '1'
    local cool = failed and field(j, 5) == '1'
    if not failed then
      succ = succ + 1
    elseif field(j, 6) == '1' then
      fails = fails + 1
      local threshold, minRequests = tonumber(field(j, 10)), tonumber(field(j, 11))
      if threshold then
        cool = fails + succ >= minRequests and fails / (fails + succ) > threshold
      else
        cool = fails > tonumber(field(j, 7))
      end
      -- A deployment back from cooldown starts with a clean slate.
      if cool then fails, succ = 0, 0 end
    end
    local cooldownMs = tonumber(field(j, 8))
    -- A cooldown still running (another worker's): extending it is not a new one, counted once by its setter.
    local wasCooling = cooldownUntil > now
    -- Never shorten an active cooldown (LiteLLM #40130).
    if cool and cooldownMs > 0 and now + cooldownMs > cooldownUntil then
      cooldownUntil = now + cooldownMs
      cooldownChanged = true
    end
    local cooling = cooldownUntil > now
    replies[#replies + 1] = cooling and cooldownUntil or 0
    replies[#replies + 1] = (cooling and not wasCooling) and 1 or 0
  end
  local updates = {'fails', fails, 'succ', succ, 'fails_since', since}
  if callAvg then updates[#updates + 1], updates[#updates + 2] = 'call_ms', callAvg end
  if cooldownChanged then updates[#updates + 1], updates[#updates + 2] = 'cooldown_until', cooldownUntil end
  redis.call('HSET', stKey, unpack(updates))

  -- A no-op when the hash does not exist.
  redis.call('PEXPIRE', stKey, math.max(stateTtlMs(windowMs), cooldownUntil - now))
end

local replies = {}
local a = 2
for i = 0, #KEYS / 5 - 1 do
  local n = tonumber(ARGV[a])
  recordDeployment(5 * i, a, n, replies)
  a = a + 1 + FIELDS * n
end
return replies
