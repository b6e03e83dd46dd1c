--[[
  Choose and reserve capacity in one call: the first candidate, in the given order, that is not
  cooling down and has room under its rpm, tpm and maxParallel limits gets the reservation. When
  none has room, the reply says when capacity returns, spread so that waiters wake one slot apart.

  Quota lease: a candidate may be asked for `want` units. Each extra unit is a whole reservation of its
  own (window entry, tokens, in-flight lease) that the worker spends on later jobs within unitTtlMs or
  gives back; it is stamped at now + unitTtlMs, no earlier than its use, so every limit stays exact.
  At most half of the room left is leased, so other workers still find some.

  Input:
    KEYS[1]            group next_wake (pacing of waiters)
    KEYS[4i-2 .. 4i+1] candidate i (1-based): window zset, tokens hash, leases zset, state hash
    ARGV[1]            windowMs
    ARGV[2]            estimatedTokens (integer)
    ARGV[3]            reservationId
    ARGV[4]            leaseMs
    ARGV[5]            unitTtlMs: how long extra units may wait for a job (0 = no lease)
    ARGV[5i+1 .. 5i+5] candidate i: deploymentId, rpm, tpm, maxParallel ('' = no limit), want (units)
  Budgets are not checked here (checkBudgets.lua, before): candidates over a budget are never passed.

  Output:
    {1, deploymentId, n}          reserved: window entry, tokens and an in-flight lease for the
                                  reservation, plus n - 1 extra units `<reservationId>~2` .. `~n`
    {0, wakeAtMs, reason}         nothing free; reason is cooldown | rpm | tpm | parallel
]]
--- @include "includes/nowMs"
--- @include "includes/expireWindow"

local now = nowMs()
local windowMs = tonumber(ARGV[1])
local estimated = tonumber(ARGV[2])
local reservationId = ARGV[3]
local leaseMs = tonumber(ARGV[4])
local unitTtlMs = tonumber(ARGV[5])
local candidates = math.floor((#KEYS - 1) / 4)

-- Time at which enough tokens have left the window for `need` of them to be gone.
local function tokensLeaveAt(winKey, tokKey, need, total)
  if need >= total then
    -- Everything must leave (an oversized request waits for an empty window).
    local newest = redis.call('ZRANGE', winKey, -1, -1, 'WITHSCORES')
    return tonumber(newest[2]) + windowMs + 1
  end
  local freed, offset = 0, 0
  while true do
    local entries = redis.call('ZRANGE', winKey, offset, offset + 99, 'WITHSCORES')
    if #entries == 0 then return now + windowMs end
    local ids = {}
    for j = 1, #entries, 2 do ids[#ids + 1] = entries[j] end
    local tokens = redis.call('HMGET', tokKey, unpack(ids))
    for j = 1, #ids do
      freed = freed + (tonumber(tokens[j]) or 0)
      if freed >= need then return tonumber(entries[2 * j]) + windowMs + 1 end
    end
    offset = offset + 100
  end
end

-- Requests per ms a candidate sustains under its tightest limit (math.huge when it has none).
local function rateOf(rpm, tpm, parallel, tokensPerRequest, latency)
  local rate = math.huge
  if rpm then rate = math.min(rate, rpm / windowMs) end
  if tpm then rate = math.min(rate, tpm / (math.max(tokensPerRequest, 1) * windowMs)) end
  if parallel then rate = math.min(rate, parallel / (latency or 1000)) end
  return rate
end

local bestWake, bestReason
-- The group's aggregate rate over the candidates not cooling down, and over all of them.
local sumRate, sumRateAll = 0, 0

for i = 1, candidates do
  local winKey, tokKey, leaseKey, stKey = KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i], KEYS[4 * i + 1]
  local id = ARGV[5 * i + 1]
  local rpm, tpm, parallel = tonumber(ARGV[5 * i + 2]), tonumber(ARGV[5 * i + 3]), tonumber(ARGV[5 * i + 4])
  local want = tonumber(ARGV[5 * i + 5]) or 1
  local state = redis.call('HMGET', stKey, 'cooldown_until', 'call_ms')
  local cooldownUntil = tonumber(state[1]) or 0
  -- Average wall time of a call: when an in-flight slot is expected to free.
  local latency = tonumber(state[2])
  local wake, reason = 0, nil
  -- Capacity returns when every binding limit has room: keep the latest of their times.
  local function bind(at, why)
    if at > wake then wake, reason = at, why end
  end

  if cooldownUntil > now then
    bind(cooldownUntil, 'cooldown')
    sumRateAll = sumRateAll + rateOf(rpm, tpm, parallel, estimated, latency)
  else
    local count, total = expireWindow(winKey, tokKey, stKey, now, windowMs)
    -- Recorded entries hold real tokens, so their mean is what a request really costs this window.
    local rate = rateOf(rpm, tpm, parallel, count > 0 and total / count or estimated, latency)
    sumRate, sumRateAll = sumRate + rate, sumRateAll + rate
    if rpm and count >= rpm then
      local leaving = redis.call('ZRANGE', winKey, count - rpm, count - rpm, 'WITHSCORES')
      bind(leaving[2] and tonumber(leaving[2]) + windowMs + 1 or now + windowMs, 'rpm')
    end
    -- A request larger than the whole tpm is admitted into an empty window, or it would wait forever.
    if tpm and total > 0 and total + estimated > tpm then
      bind(tokensLeaveAt(winKey, tokKey, total + estimated - tpm, total), 'tpm')
    end
    -- Only a capped deployment needs its live count here; snapshots sweep the others' dead leases.
    local live = parallel and liveLeases(leaseKey, now) or 0
    if parallel and live >= parallel then
      local first = redis.call('ZRANGE', leaseKey, 0, 0, 'WITHSCORES')
      -- A lease may be long; an average call ends sooner, so look again then.
      local soon = now + math.ceil(latency or 1000)
      bind(math.min(first[2] and tonumber(first[2]) or soon, soon), 'parallel')
    end

    if not reason then
      -- Units beyond the first, limited to half of the room every limit has left.
      local room = math.huge
      if rpm then room = math.min(room, rpm - count) end
      if tpm then room = math.min(room, math.floor((tpm - total) / math.max(estimated, 1))) end
      if parallel then room = math.min(room, parallel - live) end
      local extra = math.min(want - 1, math.floor((room - 1) / 2))

      redis.call('ZADD', winKey, now, reservationId)
      -- A re-sent reserve keeps its first estimate, so its tokens are counted once (and grants no units).
      if redis.call('HSETNX', tokKey, reservationId, estimated) == 1 then
        redis.call('HINCRBY', stKey, 'tpm', estimated * (1 + math.max(extra, 0)))
      else
        extra = 0
      end
      redis.call('ZADD', leaseKey, now + leaseMs, reservationId)
      if extra > 0 then
        local win, tok, lease = {}, {}, {}
        for j = 2, extra + 1 do
          local unit = reservationId .. '~' .. j
          win[#win + 1], win[#win + 2] = now + unitTtlMs, unit
          tok[#tok + 1], tok[#tok + 2] = unit, estimated
          lease[#lease + 1], lease[#lease + 2] = now + unitTtlMs + leaseMs, unit
        end
        redis.call('ZADD', winKey, unpack(win))
        redis.call('HSET', tokKey, unpack(tok))
        redis.call('ZADD', leaseKey, unpack(lease))
      else
        extra = 0
      end
      -- Idle deployments leave nothing behind.
      redis.call('PEXPIRE', winKey, windowMs + unitTtlMs + 1000)
      redis.call('PEXPIRE', tokKey, windowMs + unitTtlMs + 1000)
      if redis.call('PTTL', leaseKey) < leaseMs + unitTtlMs + 1000 then
        redis.call('PEXPIRE', leaseKey, leaseMs + unitTtlMs + 1000)
      end
      redis.call('PEXPIRE', stKey, math.max(stateTtlMs(windowMs), cooldownUntil - now))
      return {1, id, 1 + extra}
    end
  end

  if not bestWake or wake < bestWake then
    bestWake, bestReason = wake, reason
  end
end

-- Spread the waiters one slot of the group's aggregate rate apart: every candidate's tightest limit
-- counts, so a group mixing rpm-, tpm- and parallel-bound deployments is paced at its full capacity
-- (pacing by the binding limit's own sum alone left the others' capacity idle). When every candidate
-- cools down, the returning ones set the pace.
local rate = sumRate > 0 and sumRate or sumRateAll
local spacing = (rate > 0 and rate < math.huge) and 1 / rate or 0

local nextWake = tonumber(redis.call('GET', KEYS[1])) or 0
-- Every earliest time is in the future, so a next_wake in the past resets itself here.
local wakeAt = math.max(bestWake, nextWake)
local following = wakeAt + spacing
redis.call('SET', KEYS[1], string.format('%.3f', following), 'PX', math.ceil(following - now + windowMs))
return {0, math.ceil(wakeAt), bestReason}
