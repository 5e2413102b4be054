-- Shared prelude of every hold script. KEYS[1] is the event's meta key, `{ev:<id>}:meta`; every other
-- key is derived from it with the same hash tag, so a script touches one Cluster slot only.
-- Seat state: `held` and `sold` are strings of one byte per seat index, bit i set = leg i taken.
local meta_key = KEYS[1]
local P = string.sub(meta_key, 1, -6)
local K_HELD = P .. ':held'
local K_SOLD = P .. ':sold'
local K_EXPIRIES = P .. ':expiries'
local K_USER_HELD = P .. ':user-held'
local K_USER_SOLD = P .. ':user-sold'
local K_ROWS = P .. ':rows'
local K_CHANGES = P .. ':changes'
local RECORD_TTL_MS = 86400000 -- settled hold records stay a day, for GetHold and commit retries

local function hold_key(id) return P .. ':hold:' .. id end
local function order_key(id) return P .. ':order:' .. id end

-- Server time, so replicas with skewed clocks agree on what has lapsed.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function byte_at(key, i)
  local s = redis.call('GETRANGE', key, i, i)
  if s == '' then return 0 end
  return string.byte(s)
end

local function set_byte(key, i, v)
  redis.call('SETRANGE', key, i, string.char(v))
end

local function split_ints(csv)
  local out = {}
  if csv == nil or csv == '' then return out end
  for part in string.gmatch(csv, '[^,]+') do out[#out + 1] = tonumber(part) end
  return out
end

local function changed(kind, id, seats_csv, mask)
  redis.call('XADD', K_CHANGES, 'MAXLEN', '~', 10000, '*', 'type', kind, 'hold', id, 'seats', seats_csv, 'mask', mask)
end

local function event_shape()
  local v = redis.call('HMGET', meta_key, 'seats', 'legs')
  if not v[1] then return nil end
  return tonumber(v[1]), tonumber(v[2])
end

-- Takes `mask` legs of `seats` for a new hold, all or nothing. Validation of ids and the ride is the
-- caller's; this re-checks only what the script's own safety depends on.
local function try_hold(id, user, seats, mask, cap, ttl_ms, extensions)
  local seat_count, legs = event_shape()
  if not seat_count then return { 'NOT_LOADED' } end
  if mask <= 0 or mask >= 2 ^ legs then return { 'BAD_LEGS', legs } end
  if #seats == 0 then return { 'BAD_SEAT', -1 } end
  if redis.call('EXISTS', hold_key(id)) == 1 then return { 'DUPLICATE_HOLD' } end
  local seen = {}
  for _, s in ipairs(seats) do
    if s == nil or s < 0 or s >= seat_count or seen[s] then return { 'BAD_SEAT', s or -1 } end
    seen[s] = true
  end
  local taken = { 'TAKEN' }
  local held_now = {}
  for i, s in ipairs(seats) do
    local h = byte_at(K_HELD, s)
    local d = byte_at(K_SOLD, s)
    held_now[i] = h
    local hm, dm = bit.band(h, mask), bit.band(d, mask)
    if hm ~= 0 or dm ~= 0 then
      taken[#taken + 1] = s
      taken[#taken + 1] = hm
      taken[#taken + 1] = dm
    end
  end
  if #taken > 1 then return taken end
  local held = tonumber(redis.call('HGET', K_USER_HELD, user) or '0')
  local sold = tonumber(redis.call('HGET', K_USER_SOLD, user) or '0')
  if cap > 0 and held + sold + #seats > cap then return { 'CAP', held, sold, cap } end
  for i, s in ipairs(seats) do set_byte(K_HELD, s, bit.bor(held_now[i], mask)) end
  local now = now_ms()
  local expires = now + ttl_ms
  local csv = table.concat(seats, ',')
  redis.call('HSET', hold_key(id), 'user', user, 'seats', csv, 'mask', mask, 'state', 'active',
    'createdAtMs', now, 'expiresAtMs', expires, 'extensionsLeft', extensions, 'orderId', '')
  redis.call('ZADD', K_EXPIRIES, expires, id)
  redis.call('HINCRBY', K_USER_HELD, user, #seats)
  changed('held', id, csv, mask)
  return { 'OK', id, expires, csv }
end

-- Returns a hold's seats to sale and leaves it in `state`. The hold must be active.
local function free_hold(id, rec_user, csv, mask, state)
  local seats = split_ints(csv)
  local keep = bit.bnot(mask)
  for _, s in ipairs(seats) do set_byte(K_HELD, s, bit.band(byte_at(K_HELD, s), keep)) end
  redis.call('HSET', hold_key(id), 'state', state)
  redis.call('ZREM', K_EXPIRIES, id)
  if redis.call('HINCRBY', K_USER_HELD, rec_user, -#seats) <= 0 then redis.call('HDEL', K_USER_HELD, rec_user) end
  changed(state, id, csv, mask)
end

local function read_hold(id)
  local v = redis.call('HMGET', hold_key(id), 'user', 'seats', 'mask', 'state', 'expiresAtMs', 'extensionsLeft', 'orderId')
  if not v[1] then return nil end
  return { user = v[1], seats = v[2], mask = tonumber(v[3]), state = v[4], expires = tonumber(v[5]),
    extensions = tonumber(v[6]), order = v[7] }
end

local function hold_reply(status, id, h)
  return { status, id, h.user, h.seats, h.mask, h.state, h.expires, h.extensions, h.order }
end
