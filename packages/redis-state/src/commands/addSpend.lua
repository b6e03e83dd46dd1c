--[[
  Add calls' cost to the budgets they spend from. A budget's period starts with its first spend and
  lasts periodMs (LiteLLM's provider budgets start the same way); a spend after it ended starts the next.

  Input:
    KEYS[1]              budgets hash
    ARGV[3i-2 .. 3i]     budget i: name, cost in USD, periodMs ('' = never resets)

  Output:
    the number of budgets updated
]]
--- @include "includes/nowMs"

local now = nowMs()
local n = 0
for i = 1, #ARGV, 3 do
  local name, cost, periodMs = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  if periodMs then
    local periodEnd = tonumber(redis.call('HGET', KEYS[1], name .. ':end'))
    if not periodEnd or periodEnd <= now then
      redis.call('HSET', KEYS[1], name, 0, name .. ':end', now + periodMs)
    end
  end
  redis.call('HINCRBYFLOAT', KEYS[1], name, cost)
  n = n + 1
end
return n
