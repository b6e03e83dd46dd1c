--[[
  Record calls' outcomes in one call: for each, release its in-flight lease, restamp its window entry to
  now, replace the token estimate by real usage, add a latency sample, and apply a failure's cooldown
  effect. One outcome per call on the failure path (its cooldown decides what happens next); successes
  are batched by the worker, since nobody waits for their bookkeeping.

  Input (n outcomes, i = 0 .. n-1):
    KEYS[5i+1] window zset     KEYS[5i+2] tokens hash     KEYS[5i+3] leases zset
    KEYS[5i+4] state hash      KEYS[5i+5] latency samples list
    ARGV[1]        windowMs
    ARGV[11i+2]    reservationId
    ARGV[11i+3]    totalTokens ('' = keep the estimate)
    ARGV[11i+4]    latencySample ('' = none)
    ARGV[11i+5]    failure: '1' when the call failed, '' otherwise
    ARGV[11i+6]    coolNow ('1'/'0')    ARGV[11i+7] countFail ('1'/'0')
    ARGV[11i+8]    allowedFails         ARGV[11i+9] cooldownMs (<= 0 disables cooldown)
    ARGV[11i+10]   callMs: the call's wall time ('' = none), averaged into `call_ms`
    ARGV[11i+11]   failure-rate threshold ('' = cool by the allowed-fails count instead)
    ARGV[11i+12]   failure-rate minimum requests in the window

  Output:
    per outcome, cooldown_until in epoch ms (0 when not cooling down)
]]
--- @include "includes/nowMs"

local now = nowMs()
local windowMs = tonumber(ARGV[1])
local MAX_SAMPLES = 10 -- LiteLLM's max_latency_list_size

local function recordOne(k, a)
  local winKey, tokKey, leaseKey, stKey, latKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local function arg(j) return ARGV[a + j] end
  local reservationId = arg(2)
  local totalTokens = tonumber(arg(3))
  local sample = tonumber(arg(4))

  redis.call('ZREM', leaseKey, reservationId)

  -- The provider counts a request when it arrives, some ms after its reservation and not in the order
  -- reserved (a worker's burst, a new socket): stamped at reserve time, a slot could be reused just before
  -- the provider's own window frees it, and the provider answers 429. The call has surely arrived by now,
  -- so the request counts until a full window after this moment (never earlier than its reservation).
  if redis.call('ZADD', winKey, 'XX', 'GT', 'CH', now, reservationId) == 1 then
    redis.call('PEXPIRE', winKey, windowMs + 1000)
    redis.call('PEXPIRE', tokKey, windowMs + 1000)
  end

  -- A reservation that already left the window no longer counts, so there is nothing to correct.
  if totalTokens then
    local estimate = redis.call('HGET', tokKey, reservationId)
    if estimate then
      redis.call('HSET', tokKey, reservationId, totalTokens)
      redis.call('HINCRBY', stKey, 'tpm', totalTokens - tonumber(estimate))
    end
  end

  if sample then
    redis.call('LPUSH', latKey, sample)
    redis.call('LTRIM', latKey, 0, MAX_SAMPLES - 1)
    local samples = redis.call('LRANGE', latKey, 0, -1)
    local sum = 0
    for _, s in ipairs(samples) do sum = sum + tonumber(s) end
    redis.call('HSET', stKey, 'lat', sum / #samples, 'lat_at', now)
    redis.call('PEXPIRE', latKey, stateTtlMs(windowMs))
  end

  local state = redis.call('HMGET', stKey, 'call_ms', 'cooldown_until', 'fails', 'succ', 'fails_since')
  local updates = {}
  -- How long a whole call takes (an EWMA): when the next in-flight slot frees (the latency sample above
  -- may be per output token, which says nothing about when a slot frees).
  local callMs = tonumber(arg(10))
  if callMs then
    local previous = tonumber(state[1])
    updates[#updates + 1] = 'call_ms'
    updates[#updates + 1] = previous and previous * 0.8 + callMs * 0.2 or callMs
  end

  -- Outcomes count per window ("minute") that starts with the first one: failures for allowed_fails,
  -- failures and successes for the failure-rate rule.
  local fails, succ, since = tonumber(state[3]) or 0, tonumber(state[4]) or 0, tonumber(state[5])
  if not since or now - since >= windowMs then fails, succ, since = 0, 0, now end
  local failed = arg(5) == '1'
  local cool = failed and arg(6) == '1'
  if not failed then
    succ = succ + 1
  elseif arg(7) == '1' then
    fails = fails + 1
    local threshold, minRequests = tonumber(arg(11)), tonumber(arg(12))
    if threshold then
      cool = fails + succ >= minRequests and fails / (fails + succ) > threshold
    else
      cool = fails > tonumber(arg(8))
    end
    -- A deployment back from cooldown starts with a clean slate.
    if cool then fails, succ = 0, 0 end
  end
  updates[#updates + 1] = 'fails'
  updates[#updates + 1] = fails
  updates[#updates + 1] = 'succ'
  updates[#updates + 1] = succ
  updates[#updates + 1] = 'fails_since'
  updates[#updates + 1] = since

  local cooldownUntil = tonumber(state[2]) or 0
  local cooldownMs = tonumber(arg(9))
  -- Never shorten an active cooldown (LiteLLM #40130).
  if cool and cooldownMs > 0 and now + cooldownMs > cooldownUntil then
    cooldownUntil = now + cooldownMs
    updates[#updates + 1] = 'cooldown_until'
    updates[#updates + 1] = cooldownUntil
  end
  redis.call('HSET', stKey, unpack(updates))

  -- A no-op when the hash does not exist.
  redis.call('PEXPIRE', stKey, math.max(stateTtlMs(windowMs), cooldownUntil - now))
  if cooldownUntil > now then return cooldownUntil end
  return 0
end

local replies = {}
for i = 0, #KEYS / 5 - 1 do
  replies[#replies + 1] = recordOne(5 * i, 11 * i)
end
return replies
