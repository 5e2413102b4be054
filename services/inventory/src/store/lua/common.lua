-- Shared prelude of every hold script. Redis Cluster runs a script on the node that owns its keys and
-- wants every key it touches declared, so the caller passes the event's fixed keys as KEYS[1..9], always
-- in the order of `EVENT_KEY_NAMES` in keys.ts. The keys of the one hold or order a script acts on follow
-- from KEYS[10], as each script's header says.
--
-- Holds and orders a script finds by enumerating (sweep, load and rebuild walk `expiries`, `orders` and
-- the ledger's rows) cannot be declared before it runs, so their keys are derived with `hold_key` and
-- `order_key`. Every derived key starts with KEYS[1]'s prefix `{ev:<id>}`, whose hash tag puts it in
-- KEYS[1]'s slot, on the node running the script. Redis Cluster lets a script without a shebang (these
-- have none) touch undeclared keys its node owns; it refuses another node's key ("non local key") but,
-- in Redis 7.0, does not check the slot (only a `#!lua` script gets "do not hash to the same slot").
-- test/store/hold-store-cluster.test.ts runs every script on a real 3-master cluster and pins this.
--
-- Seat state: `held` and `sold` are strings of one byte per seat index, bit i set = leg i taken.
local K_META = KEYS[1]
local K_HELD = KEYS[2]
local K_SOLD = KEYS[3]
local K_EXPIRIES = KEYS[4]
local K_USER_HELD = KEYS[5]
local K_USER_SOLD = KEYS[6]
local K_ROWS = KEYS[7]
local K_CHANGES = KEYS[8]
local K_ORDERS = KEYS[9]
local P = string.sub(K_META, 1, -6) -- the hash tag `{ev:<id>}`, for the derived keys
local RECORD_TTL_MS = 86400000 -- settled hold records stay a day, for GetHold and commit retries

local function hold_key(id) return P .. ':hold:' .. id end
local function order_key(id) return P .. ':order:' .. id end

-- KEYS[i], checked to be the key `derived` names: a hold written under a declared key must be the one
-- that sweep and rebuild later derive from its id.
local function declared(i, derived)
  if KEYS[i] ~= derived then
    error('KEYS[' .. i .. '] is ' .. tostring(KEYS[i]) .. ', expected ' .. derived)
  end
  return derived
end

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
  local v = redis.call('HMGET', K_META, 'seats', 'legs')
  if not v[1] then return nil end
  return tonumber(v[1]), tonumber(v[2])
end

-- Takes `mask` legs of `seats` for a new hold `id`, kept at `key`, all or nothing. Validation of ids and
-- the ride is the caller's; this re-checks only what the script's own safety depends on.
local function try_hold(key, id, user, seats, mask, cap, ttl_ms, extensions)
  local seat_count, legs = event_shape()
  if not seat_count then return { 'NOT_LOADED' } end
  if mask <= 0 or mask >= 2 ^ legs then return { 'BAD_LEGS', legs } end
  if #seats == 0 then return { 'BAD_SEAT', -1 } end
  if redis.call('EXISTS', key) == 1 then return { 'DUPLICATE_HOLD' } end
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
  redis.call('HSET', key, 'user', user, 'seats', csv, 'mask', mask, 'state', 'active',
    'createdAtMs', now, 'expiresAtMs', expires, 'extensionsLeft', extensions, 'orderId', '')
  redis.call('ZADD', K_EXPIRIES, expires, id)
  redis.call('HINCRBY', K_USER_HELD, user, #seats)
  changed('held', id, csv, mask)
  return { 'OK', id, expires, csv, now }
end

-- Picks `quantity` slots of the run [first, first + len) free on every leg of `mask`, front first, for
-- general-admission places; nil when fewer are free. One GETRANGE per state string reads the whole run.
local function free_slots(first, len, quantity, mask)
  local held = redis.call('GETRANGE', K_HELD, first, first + len - 1)
  local sold = redis.call('GETRANGE', K_SOLD, first, first + len - 1)
  local picked = {}
  for i = 1, len do
    local h = string.byte(held, i) or 0
    local d = string.byte(sold, i) or 0
    if bit.band(bit.bor(h, d), mask) == 0 then
      picked[#picked + 1] = first + i - 1
      if #picked == quantity then return picked end
    end
  end
  return nil
end

-- Returns the seats of hold `id`, kept at `key`, to sale and leaves it in `state`. The hold must be active.
local function free_hold(key, id, rec_user, csv, mask, state)
  local seats = split_ints(csv)
  local keep = bit.bnot(mask)
  for _, s in ipairs(seats) do set_byte(K_HELD, s, bit.band(byte_at(K_HELD, s), keep)) end
  redis.call('HSET', key, 'state', state)
  redis.call('ZREM', K_EXPIRIES, id)
  if redis.call('HINCRBY', K_USER_HELD, rec_user, -#seats) <= 0 then redis.call('HDEL', K_USER_HELD, rec_user) end
  changed(state, id, csv, mask)
end

local function read_hold(key)
  local v = redis.call('HMGET', key, 'user', 'seats', 'mask', 'state', 'expiresAtMs', 'extensionsLeft', 'orderId',
    'createdAtMs')
  if not v[1] then return nil end
  return { user = v[1], seats = v[2], mask = tonumber(v[3]), state = v[4], expires = tonumber(v[5]),
    extensions = tonumber(v[6]), order = v[7], created = tonumber(v[8] or '0') }
end

-- Marks seat-legs sold from ledger quadruples in ARGV starting at `from`: (seat index, leg mask,
-- order id, user id). State must be empty of sales. Returns the number of quadruples, or nil and the
-- bad seat index.
local function apply_sold(from, seat_count)
  local n = 0
  for i = from, #ARGV, 4 do
    local s, m, order, user = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
    if s < 0 or s >= seat_count then return nil, s end
    set_byte(K_SOLD, s, bit.bor(byte_at(K_SOLD, s), m))
    local okey = order_key(order)
    local prev = redis.call('HGET', okey, s)
    if not prev then redis.call('HINCRBY', K_USER_SOLD, user, 1) end
    redis.call('HSET', okey, s, bit.bor(tonumber(prev or '0'), m), 'user', user)
    redis.call('SADD', K_ORDERS, order)
    n = n + 1
  end
  return n
end

-- Forgets every hold, sale and seat byte of the event and sizes the seat strings for `seat_count`.
local function reset_state(seat_count)
  for _, o in ipairs(redis.call('SMEMBERS', K_ORDERS)) do redis.call('DEL', order_key(o)) end
  redis.call('DEL', K_HELD, K_SOLD, K_EXPIRIES, K_USER_HELD, K_USER_SOLD, K_ORDERS)
  redis.call('SETRANGE', K_HELD, seat_count - 1, '\0')
  redis.call('SETRANGE', K_SOLD, seat_count - 1, '\0')
end

local function hold_reply(status, id, h)
  return { status, id, h.user, h.seats, h.mask, h.state, h.expires, h.extensions, h.order, h.created }
end
