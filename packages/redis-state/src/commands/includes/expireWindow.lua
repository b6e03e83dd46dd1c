-- Drops reservations that left the sliding window and subtracts their tokens (each entry is removed
-- once, so this is amortised O(1)). Times are integer ms, so an entry stamped t may be 1 ms older
-- than t: it has surely left every window containing `now` once t <= now - window - 1.
-- Returns the number of reservations and tokens still in the window.
local function expireWindow(winKey, tokKey, stKey, now, windowMs)
  local cutoff = now - windowMs - 1
  local stored = tonumber(redis.call('HGET', stKey, 'tpm')) or 0
  local total = stored
  while true do
    -- Chunks keep unpack() far below Lua's stack limit after a long idle period.
    local gone = redis.call('ZRANGEBYSCORE', winKey, '-inf', cutoff, 'LIMIT', 0, 500)
    if #gone == 0 then break end
    for _, tokens in ipairs(redis.call('HMGET', tokKey, unpack(gone))) do
      total = total - (tonumber(tokens) or 0)
    end
    redis.call('HDEL', tokKey, unpack(gone))
    redis.call('ZREM', winKey, unpack(gone))
  end
  local count = redis.call('ZCARD', winKey)
  -- An empty window holds no tokens, whatever drift (a lost key) says.
  if count == 0 then total = 0 end
  if total ~= stored and redis.call('EXISTS', stKey) == 1 then
    redis.call('HSET', stKey, 'tpm', total)
  end
  return count, total
end

-- Frees the slots of leases whose holder neither recorded nor released them in time (a crashed
-- worker); returns the number of requests still in flight.
local function liveLeases(leaseKey, now)
  redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', now)
  return redis.call('ZCARD', leaseKey)
end
