--[[
  Append a batch of outcome events to the events stream, one entry each, in order: one round trip per
  batch instead of one XADD per event (a pipeline of XADDs cost the worker an ioredis Pipeline per batch).

  Input:
    KEYS[1]                  the events stream
    ARGV[1]                  MAXLEN, trimmed approximately (XADD MAXLEN ~)
    ARGV[2], ARGV[3]         the entry's field names: the event's type, its payload
    ARGV[2i+2], ARGV[2i+3]   event i: its type, its payload (JSON)

  Output:
    the number of entries added
]]
local n = 0
for i = 4, #ARGV, 2 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[2], ARGV[i], ARGV[3], ARGV[i + 1])
  n = n + 1
end
return n
