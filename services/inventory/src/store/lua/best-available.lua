-- KEYS[10]: the new hold's key. ARGV: hold id, user id, quantity, leg mask, per-user cap (0 = none),
-- ttl ms, extensions, require adjacent (1/0), candidate runs as csv (first index, length) pairs, best
-- first; empty = every row of `{ev:<id>}:rows`, the whole map front row first. A section, class or tier
-- is its runs.
local quantity = tonumber(ARGV[3])
local mask = tonumber(ARGV[4])
local require_adjacent = ARGV[8] == '1'
local seat_count, _, w, closed = event_shape()
if closed then return { 'CLOSED' } end
if not seat_count then return { 'NOT_LOADED' } end
-- One GET of each state string beats a GETRANGE per seat once a map has more than a few rows.
local held = redis.call('GET', K_HELD) or ''
local sold = redis.call('GET', K_SOLD) or ''
local is_free
if w == 1 then
  -- The one-byte seats of every event, read as they were before seats could be wider.
  is_free = function(s)
    local h = string.byte(held, s + 1) or 0
    local d = string.byte(sold, s + 1) or 0
    return bit.band(bit.bor(h, d), mask) == 0
  end
else
  is_free = function(s)
    return bit.band(bit.bor(decode(held, s * w + 1, w), decode(sold, s * w + 1, w)), mask) == 0
  end
end
local rows = split_ints(ARGV[9])
if #rows == 0 then rows = redis.call('LRANGE', K_ROWS, 0, -1) end
local chosen = nil
for r = 1, #rows, 2 do
  local first, len = tonumber(rows[r]), tonumber(rows[r + 1])
  local run = 0
  for s = first, first + len - 1 do
    if is_free(s) then run = run + 1 else run = 0 end
    if run == quantity then
      chosen = {}
      for k = s - quantity + 1, s do chosen[#chosen + 1] = k end
      break
    end
  end
  if chosen then break end
end
if not chosen and not require_adjacent then
  local picked = {}
  for r = 1, #rows, 2 do
    local first, len = tonumber(rows[r]), tonumber(rows[r + 1])
    for s = first, first + len - 1 do
      if #picked < quantity and is_free(s) then picked[#picked + 1] = s end
    end
    if #picked == quantity then break end
  end
  if #picked == quantity then chosen = picked end
end
if not chosen then return { 'NONE' } end
return try_hold(declared(10, hold_key(ARGV[1])), ARGV[1], ARGV[2], chosen, mask, tonumber(ARGV[5]),
  tonumber(ARGV[6]), tonumber(ARGV[7]))
