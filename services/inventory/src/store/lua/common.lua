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
-- Seat state: `held` and `sold` are strings of W bytes per seat index, little-endian, bit i of a seat's
-- bytes set = leg i taken. W, the event's seat width, is chosen when the event is loaded and kept in
-- `meta` (`width`): 1 byte for up to 8 legs (every event, most coaches), 2 for 16, 4 for 32. A one-byte
-- event keeps exactly the bytes it had before seats could be wider, and hold and best-available make the
-- same calls (the width comes with the shape they read anyway); commit, release, sweep and release-sold
-- read the shape once more, inside the script, never as another round trip.
--
-- Leg masks are unsigned numbers up to 2^32 - 1 in ARGV, hold records, order hashes and replies. `bit`
-- works on signed 32-bit integers: a mask with leg 31 comes out of bit.band/bor negative, so every mask
-- a script stores or returns goes through `u32` first.
--
-- Per-user counts (`user-held`, `user-sold`) are kept per leg: the number of seats a user holds (or has
-- bought) on that leg. A seat held on two legs counts once on each, never twice on one, and the cap is
-- checked on the legs of the ride asked for (see `cap_refusal`).
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

-- A mask as the unsigned number it stands for.
local function u32(v)
  if v < 0 then return v + 4294967296 end
  return v
end

-- The mask of the seat whose `w` bytes start at position `at` (1-based) of `str`; 0 past its end.
local function decode(str, at, w)
  local b0, b1, b2, b3 = string.byte(str, at, at + w - 1)
  if w == 1 then return b0 or 0 end
  local v = (b0 or 0) + (b1 or 0) * 256
  if w == 4 then v = v + (b2 or 0) * 65536 + (b3 or 0) * 16777216 end
  return v
end

-- The `w` bytes of a mask, least significant first.
local function encode(v, w)
  if w == 1 then return string.char(v) end
  local b0, b1 = bit.band(v, 255), bit.band(bit.rshift(v, 8), 255)
  if w == 2 then return string.char(b0, b1) end
  return string.char(b0, b1, bit.band(bit.rshift(v, 16), 255), bit.band(bit.rshift(v, 24), 255))
end

-- The legs of seat `s` in state string `key`, for an event of seat width `w`.
local function mask_at(key, s, w)
  if w == 1 then
    local c = redis.call('GETRANGE', key, s, s)
    if c == '' then return 0 end
    return string.byte(c)
  end
  return decode(redis.call('GETRANGE', key, s * w, s * w + w - 1), 1, w)
end

local function set_mask(key, s, w, v)
  redis.call('SETRANGE', key, s * w, encode(v, w))
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

-- Whether the event's sales are closed (CloseSales: the event was cancelled). `meta`'s `closed` is set
-- once and never cleared; it may be the only field of an event never loaded, and load and rebuild keep
-- it, so an event loaded after its closure is closed from its first script on. Hold, best-available,
-- extend and commit refuse a closed event with CLOSED in the same atomic step as everything they check
-- (the hold scripts read it with the shape, `event_shape`'s fourth value, in the same call).
local function sales_closed()
  return redis.call('HEXISTS', K_META, 'closed') == 1
end

-- The event's seat count, leg count and seat width, and whether its sales are closed (`sales_closed`);
-- the first three nil when the event is not loaded. Events loaded before seats could be wider have no
-- `width`: they are one byte a seat.
local function event_shape()
  local v = redis.call('HMGET', K_META, 'seats', 'legs', 'width', 'closed')
  local closed = v[4] ~= false
  if not v[1] then return nil, nil, nil, closed end
  return tonumber(v[1]), tonumber(v[2]), tonumber(v[3] or '1'), closed
end

-- The shape of an event a script found a hold or order of. Their keys go when the event's do (load drops
-- the holds of a shape it replaces), so an event missing here is a broken store, not a request to refuse.
local function loaded_shape()
  local seat_count, legs, w = event_shape()
  if not seat_count then error('the event of ' .. K_META .. ' is not loaded, yet it has holds or orders') end
  return seat_count, legs, w
end

-- The legs set in `mask`, ascending.
local function legs_of(mask)
  local out = {}
  if mask == 1 then
    out[1] = 0
    return out
  end
  for leg = 0, 31 do
    if bit.band(mask, bit.lshift(1, leg)) ~= 0 then out[#out + 1] = leg end
  end
  return out
end

-- The `user-held` / `user-sold` field of `user` on `leg`. On an event (one leg) it is the user id, as it
-- was before counts were per leg; on a trip `<user>/<leg>`, which no other (user, leg) pair spells, since
-- the leg is the digits after the last '/'.
local function leg_field(user, leg, legs)
  if legs == 1 then return user end
  return user .. '/' .. leg
end

-- Adds `delta` to `user`'s count in `hash` on every leg of `mask`; a count that reaches 0 is removed.
local function count_legs(hash, user, mask, legs, delta)
  for _, leg in ipairs(legs_of(mask)) do
    local field = leg_field(user, leg, legs)
    if redis.call('HINCRBY', hash, field, delta) <= 0 then redis.call('HDEL', hash, field) end
  end
end

-- The per-user cap on a ride: `user`'s seats on each leg of `mask` (held and bought), plus the `n` asked
-- for, must not pass `cap` on any of them. The seats asked for are free on every leg of the ride (or the
-- hold is refused as taken before this), so on each leg they add to what the user has there: the cap
-- bounds how many seats a user occupies at once at any point of the route. On an event this is the count
-- of every seat held and bought. Returns nil within the cap, else the refusal with the counts of the
-- fullest leg.
local function cap_refusal(user, mask, legs, n, cap)
  if cap <= 0 then return nil end
  local ride = legs_of(mask)
  local fields = {}
  for i, leg in ipairs(ride) do fields[i] = leg_field(user, leg, legs) end
  local held = redis.call('HMGET', K_USER_HELD, unpack(fields))
  local sold = redis.call('HMGET', K_USER_SOLD, unpack(fields))
  local worst, worst_held, worst_sold = 1, -1, 0
  for i = 1, #fields do
    local h, d = tonumber(held[i] or '0'), tonumber(sold[i] or '0')
    if h + d > worst_held + worst_sold then worst, worst_held, worst_sold = i, h, d end
  end
  if worst_held + worst_sold + n > cap then return { 'CAP', worst_held, worst_sold, cap, ride[worst] } end
  return nil
end

-- Takes `mask` legs of `seats` for a new hold `id`, kept at `key`, all or nothing. Validation of ids and
-- the ride is the caller's; this re-checks only what the script's own safety depends on.
local function try_hold(key, id, user, seats, mask, cap, ttl_ms, extensions)
  local seat_count, legs, w, closed = event_shape()
  if closed then return { 'CLOSED' } end
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
    local h = mask_at(K_HELD, s, w)
    local d = mask_at(K_SOLD, s, w)
    held_now[i] = h
    local hm, dm = bit.band(h, mask), bit.band(d, mask)
    if hm ~= 0 or dm ~= 0 then
      taken[#taken + 1] = s
      taken[#taken + 1] = u32(hm)
      taken[#taken + 1] = u32(dm)
    end
  end
  if #taken > 1 then return taken end
  local over = cap_refusal(user, mask, legs, #seats, cap)
  if over then return over end
  for i, s in ipairs(seats) do set_mask(K_HELD, s, w, bit.bor(held_now[i], mask)) end
  local now = now_ms()
  local expires = now + ttl_ms
  local csv = table.concat(seats, ',')
  redis.call('HSET', key, 'user', user, 'seats', csv, 'mask', mask, 'state', 'active',
    'createdAtMs', now, 'expiresAtMs', expires, 'extensionsLeft', extensions, 'orderId', '')
  redis.call('ZADD', K_EXPIRIES, expires, id)
  count_legs(K_USER_HELD, user, mask, legs, #seats)
  changed('held', id, csv, mask)
  return { 'OK', id, expires, csv, now }
end

-- Picks `quantity` slots of the run [first, first + len) free on every leg of `mask`, front first, for
-- general-admission places; nil when fewer are free. One GETRANGE per state string reads the whole run.
local function free_slots(first, len, quantity, mask, w)
  local held = redis.call('GETRANGE', K_HELD, first * w, (first + len) * w - 1)
  local sold = redis.call('GETRANGE', K_SOLD, first * w, (first + len) * w - 1)
  local picked = {}
  for i = 1, len do
    local h = decode(held, (i - 1) * w + 1, w)
    local d = decode(sold, (i - 1) * w + 1, w)
    if bit.band(bit.bor(h, d), mask) == 0 then
      picked[#picked + 1] = first + i - 1
      if #picked == quantity then return picked end
    end
  end
  return nil
end

-- Returns the seats of hold `id`, kept at `key`, to sale and leaves it in `state`. The hold must be active.
-- `legs` and `w` are the event's leg count and seat width (`event_shape`).
local function free_hold(key, id, rec_user, csv, mask, state, legs, w)
  local seats = split_ints(csv)
  local keep = bit.bnot(mask)
  for _, s in ipairs(seats) do set_mask(K_HELD, s, w, bit.band(mask_at(K_HELD, s, w), keep)) end
  redis.call('HSET', key, 'state', state)
  redis.call('ZREM', K_EXPIRIES, id)
  count_legs(K_USER_HELD, rec_user, mask, legs, -#seats)
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
-- order id, user id), on an event of `seat_count` seats, `legs` legs and seat width `w`. State must be
-- empty of sales. Returns the number of quadruples, or nil and the bad seat index.
local function apply_sold(from, seat_count, legs, w)
  local n = 0
  for i = from, #ARGV, 4 do
    local s, m, order, user = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
    if s < 0 or s >= seat_count then return nil, s end
    set_mask(K_SOLD, s, w, bit.bor(mask_at(K_SOLD, s, w), m))
    local okey = order_key(order)
    local prev = tonumber(redis.call('HGET', okey, s) or '0')
    -- Only legs the order did not have yet are new seats for the user on those legs.
    count_legs(K_USER_SOLD, user, bit.band(m, bit.bnot(prev)), legs, 1)
    redis.call('HSET', okey, s, u32(bit.bor(prev, m)), 'user', user)
    redis.call('SADD', K_ORDERS, order)
    n = n + 1
  end
  return n
end

-- Forgets every hold, sale and seat byte of the event and sizes the seat strings for `seat_count` seats
-- of `w` bytes.
local function reset_state(seat_count, w)
  for _, o in ipairs(redis.call('SMEMBERS', K_ORDERS)) do redis.call('DEL', order_key(o)) end
  redis.call('DEL', K_HELD, K_SOLD, K_EXPIRIES, K_USER_HELD, K_USER_SOLD, K_ORDERS)
  redis.call('SETRANGE', K_HELD, seat_count * w - 1, '\0')
  redis.call('SETRANGE', K_SOLD, seat_count * w - 1, '\0')
end

local function hold_reply(status, id, h)
  return { status, id, h.user, h.seats, h.mask, h.state, h.expires, h.extensions, h.order, h.created }
end
