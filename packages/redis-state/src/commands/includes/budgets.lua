-- Spend caps (provider_budget_config, max_budget): one hash of `<name>` → USD spent in the current period
-- and `<name>:end` → when that period ends (epoch ms; absent: the budget never resets).

-- Spent so far in the current period of budget `name` (0 once its period has ended).
local function budgetSpent(budgetKey, name, now)
  local row = redis.call('HMGET', budgetKey, name, name .. ':end')
  local periodEnd = tonumber(row[2])
  if periodEnd and periodEnd <= now then return 0, nil end
  return tonumber(row[1]) or 0, periodEnd
end

-- A function (candidate i, now) → resetAtMs, name of the first exhausted budget of candidate i, or nil.
-- The per-candidate lists start at ARGV[first]: k, then k pairs (name, limit).
local function overBudget(budgetKey, first)
  local lists = {}
  if budgetKey then
    local at = first
    local i = 1
    while ARGV[at] do
      local k = tonumber(ARGV[at])
      local list = {}
      for j = 1, k do list[j] = {ARGV[at + 2 * j - 1], tonumber(ARGV[at + 2 * j])} end
      lists[i] = list
      at, i = at + 2 * k + 1, i + 1
    end
  end
  return function(i, now)
    for _, b in ipairs(lists[i] or {}) do
      local spent, periodEnd = budgetSpent(budgetKey, b[1], now)
      -- A budget that never resets reports "in 100 years", which callers turn into "does not reset".
      if spent >= b[2] then return periodEnd or (now + 3153600000000), b[1] end
    end
    return nil
  end
end
