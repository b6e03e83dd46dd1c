--[[
  Which budgets are spent (provider_budget_config, max_budget), read on their own before a reservation.
  The budgets hash is one key for the installation (a provider's budget spans groups, so it lives in no
  group's slot): `<name>` → USD spent in the current period, `<name>:end` → when that period ends
  (epoch ms; absent: the budget never resets). A script only for the server's clock, which addSpend uses.

  Input:
    KEYS[1]              budgets hash
    ARGV[2i-1 .. 2i]     budget i: name, limit in USD

  Output:
    per budget i, 0 when it has money left, else when its spend resets (epoch ms; a budget that never
    resets says "in 100 years", which callers turn into "does not reset")
]]
--- @include "includes/nowMs"

local now = nowMs()
local out = {}
for i = 1, #ARGV, 2 do
  local row = redis.call('HMGET', KEYS[1], ARGV[i], ARGV[i] .. ':end')
  local periodEnd = tonumber(row[2])
  local spent = tonumber(row[1]) or 0
  -- A period that has ended counts as nothing spent: addSpend starts the next one.
  if periodEnd and periodEnd <= now then spent = 0 end
  if spent >= tonumber(ARGV[i + 1]) then
    out[#out + 1] = math.ceil(periodEnd or (now + 3153600000000))
  else
    out[#out + 1] = 0
  end
end
return out
